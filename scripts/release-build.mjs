// The release workflow's build step: `node scripts/release-build.mjs <linux|win|mac>` runs
// electron-builder for that platform and publishes to the tag's draft GitHub Release, with the update
// metadata electron-updater reads (latest.yml, latest-mac.yml, latest-linux.yml, blockmaps).
//
// Code signing and notarization use the repository's secrets when they are set. A secret that is not
// set reaches us as an empty string, which electron-builder would take as a certificate ("" is a
// value to it), so empty ones are removed, and what is skipped is said in a notice on the run.
//
//   macOS    MAC_CSC_LINK, MAC_CSC_KEY_PASSWORD             Developer ID Application certificate (.p12, base64)
//            APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID    notarization (all three, or none)
//   Windows  WIN_CSC_LINK, WIN_CSC_KEY_PASSWORD             code-signing certificate (.pfx, base64)
//   Linux    none: AppImage and deb are not signed; electron-updater checks their sha512
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const PLATFORMS = {
  linux: { flag: '--linux', archs: ['--x64'] },
  win: { flag: '--win', archs: ['--x64'] },
  // One run for both: a single latest-mac.yml then lists the x64 and the arm64 zip.
  mac: { flag: '--mac', archs: ['--x64', '--arm64'] },
};
const NOTARIZE = ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID'];
const SECRETS = ['MAC_CSC_LINK', 'MAC_CSC_KEY_PASSWORD', 'WIN_CSC_LINK', 'WIN_CSC_KEY_PASSWORD', ...NOTARIZE];

const given = (name) => (process.env[name] === '' ? undefined : process.env[name]);

function fail(line) {
  console.error(`release-build: ${line}`);
  process.exit(1);
}

function notice(line) {
  // A workflow command: GitHub shows it on the run's summary page.
  console.log(
    process.env.GITHUB_ACTIONS === 'true' ? `::notice title=Code signing::${line}` : `release-build: ${line}`,
  );
}

const platform = process.argv[2];
if (!(platform in PLATFORMS))
  fail(`say which installers to build: linux, win or mac (got ${JSON.stringify(platform)}).`);
const repository = process.env.GITHUB_REPOSITORY ?? '';
if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) {
  fail(
    `GITHUB_REPOSITORY must be owner/name (got ${JSON.stringify(repository)}); the release workflow sets it.`,
  );
}
if (!given('GH_TOKEN'))
  fail('GH_TOKEN is not set; the release workflow passes github.token to publish the installers.');

/** What electron-builder is given for signing: variables it reads, by the names it reads them. */
const signing = {};
if (platform === 'mac') {
  const notarize = NOTARIZE.filter((name) => given(name) !== undefined);
  if (notarize.length > 0 && notarize.length < NOTARIZE.length) {
    const missing = NOTARIZE.filter((name) => given(name) === undefined);
    fail(
      `notarization needs ${NOTARIZE.join(', ')}; ${missing.join(', ')} missing. Set them all, or remove them all.`,
    );
  }
  if (given('MAC_CSC_LINK') === undefined) {
    // Without this electron-builder would sign with any identity it finds in the runner's keychain.
    signing.CSC_IDENTITY_AUTO_DISCOVERY = 'false';
    notice(
      'macOS: MAC_CSC_LINK is not set, so the app is neither signed nor notarized. Gatekeeper will warn on first open, and macOS auto-update (which accepts signed apps only) will not install updates.',
    );
  } else {
    signing.CSC_LINK = given('MAC_CSC_LINK');
    if (given('MAC_CSC_KEY_PASSWORD') !== undefined) signing.CSC_KEY_PASSWORD = given('MAC_CSC_KEY_PASSWORD');
    for (const name of notarize) signing[name] = given(name);
    if (notarize.length === 0) {
      notice(
        `macOS: signed, but ${NOTARIZE.join(', ')} are not set, so the app is not notarized; Gatekeeper will warn.`,
      );
    }
  }
}
if (platform === 'win') {
  if (given('WIN_CSC_LINK') === undefined) {
    notice(
      'Windows: WIN_CSC_LINK is not set, so the installer is not signed. SmartScreen will warn, and updates are verified by sha512 only, not by publisher.',
    );
  } else {
    signing.WIN_CSC_LINK = given('WIN_CSC_LINK');
    if (given('WIN_CSC_KEY_PASSWORD') !== undefined)
      signing.WIN_CSC_KEY_PASSWORD = given('WIN_CSC_KEY_PASSWORD');
  }
}
// Every signing variable comes from `signing`: none of ours, set or empty, reaches electron-builder
// by another name, and no CSC_* of the runner's own either.
const ours = new Set([...SECRETS, 'CSC_LINK', 'CSC_KEY_PASSWORD', 'CSC_NAME', 'CSC_IDENTITY_AUTO_DISCOVERY']);
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !ours.has(name))),
  ...signing,
};

const [owner, repo] = repository.split('/');
const { flag, archs } = PLATFORMS[platform];
const args = [flag, ...archs, '--publish', 'always', `-c.publish.owner=${owner}`, `-c.publish.repo=${repo}`];
console.log(`release-build: electron-builder ${args.join(' ')}`);
const require = createRequire(path.join(process.cwd(), 'package.json'));
const builder = path.join(path.dirname(require.resolve('electron-builder/package.json')), 'cli.js');
const ran = spawnSync(process.execPath, [builder, ...args], { stdio: 'inherit', env });
process.exit(ran.status ?? 1);
