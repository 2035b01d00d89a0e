// `npm run check` part: every GitHub workflow in .github/workflows (or the directory given) checked
// offline against the workflow schema by @action-validator/cli, so a typo in a key fails here and
// not on the first push. One line per file when all is well; the validator's report when not.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const dir = process.argv[2] ?? path.join('.github', 'workflows');
const require = createRequire(import.meta.url);
const cli = path.join(path.dirname(require.resolve('@action-validator/cli/package.json')), 'cli.mjs');

let files;
try {
  files = readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
} catch (error) {
  console.error(
    `check-workflows: cannot read ${dir} (${error.code ?? error.message}); run from the repository root.`,
  );
  process.exit(1);
}
if (files.length === 0) {
  console.error(`check-workflows: ${dir} holds no .yml workflows; nothing was checked.`);
  process.exit(1);
}

const failed = [];
for (const name of files) {
  // Run with node itself: the CLI is an ES module, and no shell wrapper is needed on Windows.
  const result = spawnSync(process.execPath, [cli, path.join(dir, name)], { encoding: 'utf8' });
  if (result.status !== 0) {
    failed.push(name);
    console.error(`check-workflows: ${path.join(dir, name)} does not match the GitHub workflow schema:`);
    console.error((result.stderr || result.stdout || String(result.error)).trimEnd());
  }
}
if (failed.length > 0) process.exit(1);
console.log(`check-workflows: ${files.join(', ')} match the GitHub workflow schema.`);
