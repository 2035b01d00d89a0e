// `node scripts/locked-version.mjs <package>...` prints each package as <name>@<version>, the
// version package-lock.json pins, one per line. The release workflow installs the Intel ffmpeg and
// ffprobe for the x64 macOS app this way (npm on the arm64 runner skips them), so both apps ship the
// builds the lock file names and a dependency update changes them in one place.
import { readFileSync } from 'node:fs';

function fail(line) {
  console.error(`locked-version: ${line}`);
  process.exit(1);
}

const names = process.argv.slice(2);
if (names.length === 0) fail('name the packages, e.g. @ffmpeg-installer/darwin-x64.');
let lock;
try {
  lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
} catch (error) {
  fail(`cannot read package-lock.json (${error.code ?? error.message}); run from the repository root.`);
}
const lines = names.map((name) => {
  const version = lock.packages?.[`node_modules/${name}`]?.version;
  if (typeof version !== 'string') {
    fail(`package-lock.json pins no ${name}; it is recorded by npm install of the package that needs it.`);
  }
  return `${name}@${version}`;
});
console.log(lines.join('\n'));
