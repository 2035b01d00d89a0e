/**
 * The release workflow's scripts, run as the workflow runs them (node scripts/..., in a checkout),
 * here in a throwaway project with a stand-in electron-builder that records its call.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, scriptFixture, type ScriptFixture } from './script-fixture.js';

let fixture: ScriptFixture;
afterEach(() => fixture.cleanup());

const CHANGELOG = `# Changelog

## [Unreleased]

### Added

- Something after 1.2.0.

## [1.2.0] - 2026-12-01

### Added

- Auto-update.

### Fixed

- Windows paths.

## [1.1.0] - 2026-11-01

- Older.

[1.2.0]: https://example.org/compare/v1.1.0...v1.2.0
`;

describe('release-notes.mjs', () => {
  function project(version: string, changelog = CHANGELOG): ScriptFixture {
    fixture = scriptFixture();
    fixture.write('package.json', JSON.stringify({ name: 'x', version }));
    fixture.write('CHANGELOG.md', changelog);
    return fixture;
  }

  it('prints the version’s CHANGELOG section, and nothing of the others', async () => {
    const run = await project('1.2.0').run('release-notes.mjs', ['v1.2.0']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe('### Added\n\n- Auto-update.\n\n### Fixed\n\n- Windows paths.\n');
  });

  it('takes the last section up to the link references', async () => {
    const run = await project('1.1.0').run('release-notes.mjs', ['v1.1.0']);
    expect(run.stdout).toBe('- Older.\n');
  });

  it.each([
    ['1.2.0', /"1\.2\.0" is not a version tag; tag releases vMAJOR\.MINOR\.PATCH/],
    ['v1.2', /"v1\.2" is not a version tag/],
    ['', /"" is not a version tag/],
  ])('refuses the tag %j', async (tag, message) => {
    const run = await project('1.2.0').run('release-notes.mjs', [tag]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('refuses a tag that is not package.json’s version, saying how to bump it', async () => {
    const run = await project('1.1.0').run('release-notes.mjs', ['v1.2.0']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      "release-notes: tag v1.2.0 does not match package.json's version 1.1.0; run `npm version 1.2.0 --no-git-tag-version`, commit, and tag that commit.",
    );
  });

  it('refuses a version with no CHANGELOG section, or an empty one', async () => {
    const missing = await project('1.3.0').run('release-notes.mjs', ['v1.3.0']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /CHANGELOG\.md has no "## \[1\.3\.0\] - YYYY-MM-DD" section; move the Unreleased/,
    );
    fixture.cleanup();
    const empty = await project(
      '1.3.0',
      '# Changelog\n\n## [1.3.0] - 2026-12-24\n\n## [1.2.0] - 2026-12-01\n\n- x\n',
    ).run('release-notes.mjs', ['v1.3.0']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/the CHANGELOG\.md section for 1\.3\.0 is empty/);
  });

  it('accepts pre-release versions (v2.0.0-beta.1)', async () => {
    const run = await project('2.0.0-beta.1', '## [2.0.0-beta.1] - 2027-01-02\n\n- Beta.\n').run(
      'release-notes.mjs',
      ['v2.0.0-beta.1'],
    );
    expect(run).toMatchObject({ code: 0, stdout: '- Beta.\n' });
  });

  it('in a workflow, tells the next step whether the tag is a pre-release', async () => {
    const output = (version: string) => path.join(fixture.dir, `output-${version}`);
    project('2.0.0-beta.1', '## [2.0.0-beta.1] - 2027-01-02\n\n- Beta.\n');
    const beta = await fixture.run('release-notes.mjs', ['v2.0.0-beta.1'], {
      GITHUB_OUTPUT: output('beta'),
    });
    expect(beta).toMatchObject({ code: 0, stdout: '- Beta.\n' });
    expect(readFileSync(output('beta'), 'utf8')).toBe('prerelease=true\n');
    fixture.cleanup();

    project('1.2.0');
    const stable = await fixture.run('release-notes.mjs', ['v1.2.0'], { GITHUB_OUTPUT: output('stable') });
    expect(stable.code).toBe(0);
    expect(readFileSync(output('stable'), 'utf8')).toBe('prerelease=false\n');
  });
});

describe('locked-version.mjs', () => {
  const LOCK = {
    lockfileVersion: 3,
    packages: {
      '': { name: 'x', version: '1.2.0' },
      'node_modules/@ffmpeg-installer/darwin-x64': { version: '4.1.0', optional: true },
      'node_modules/@ffprobe-installer/darwin-x64': { version: '5.1.0', optional: true },
    },
  };

  it('prints each package at the version package-lock.json pins, one per line', async () => {
    fixture = scriptFixture();
    fixture.write('package-lock.json', JSON.stringify(LOCK));
    const run = await fixture.run('locked-version.mjs', [
      '@ffmpeg-installer/darwin-x64',
      '@ffprobe-installer/darwin-x64',
    ]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe('@ffmpeg-installer/darwin-x64@4.1.0\n@ffprobe-installer/darwin-x64@5.1.0\n');
  });

  it('names what this repository’s lock file pins for the macOS build', async () => {
    fixture = scriptFixture();
    fixture.write('package-lock.json', readFileSync(path.join(REPO, 'package-lock.json'), 'utf8'));
    const run = await fixture.run('locked-version.mjs', ['@ffmpeg-installer/darwin-x64']);
    expect(run.stdout).toMatch(/^@ffmpeg-installer\/darwin-x64@\d+\.\d+\.\d+\n$/);
  });

  it.each([
    [[], JSON.stringify(LOCK), /name the packages/],
    [
      ['@ffmpeg-installer/darwin-arm64'],
      JSON.stringify(LOCK),
      /package-lock\.json pins no @ffmpeg-installer\/darwin-arm64/,
    ],
    [
      ['@ffmpeg-installer/darwin-x64'],
      null,
      /cannot read package-lock\.json \(ENOENT\); run from the repository root/,
    ],
  ])('refuses %j (nothing printed)', async (args, lock, message) => {
    fixture = scriptFixture();
    if (lock !== null) fixture.write('package-lock.json', lock);
    const run = await fixture.run('locked-version.mjs', args);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });
});

describe('release-build.mjs', () => {
  const NO_SECRETS = {
    GITHUB_REPOSITORY: 'peer/streamer',
    GH_TOKEN: 'token-from-the-workflow',
    // What GitHub passes for a secret that is not set.
    MAC_CSC_LINK: '',
    MAC_CSC_KEY_PASSWORD: '',
    APPLE_ID: '',
    APPLE_APP_SPECIFIC_PASSWORD: '',
    APPLE_TEAM_ID: '',
    WIN_CSC_LINK: '',
    WIN_CSC_KEY_PASSWORD: '',
    CSC_LINK: '',
    CSC_IDENTITY_AUTO_DISCOVERY: '',
  };
  const SIGNING_NAMES = [
    'CSC_LINK',
    'CSC_KEY_PASSWORD',
    'CSC_IDENTITY_AUTO_DISCOVERY',
    'WIN_CSC_LINK',
    'WIN_CSC_KEY_PASSWORD',
    'MAC_CSC_LINK',
    'MAC_CSC_KEY_PASSWORD',
    'APPLE_ID',
    'APPLE_APP_SPECIFIC_PASSWORD',
    'APPLE_TEAM_ID',
  ];

  async function build(platform: string, env: Record<string, string> = {}, builderExit = 0) {
    fixture = scriptFixture([], builderExit);
    fixture.write('package.json', JSON.stringify({ name: 'x', version: '1.2.0' }));
    const run = await fixture.run('release-build.mjs', [platform], { ...NO_SECRETS, ...env });
    const call = fixture.builderCall();
    const signing = call
      ? Object.fromEntries(
          SIGNING_NAMES.filter((name) => name in call.env).map((name) => [name, call.env[name]]),
        )
      : null;
    return { run, call, signing };
  }

  const publishArgs = ['--publish', 'always', '-c.publish.owner=peer', '-c.publish.repo=streamer'];

  it('leaves the homepage (the deb’s control file needs one) to package.json, beside the repository', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      homepage: string;
      repository: { type: string; url: string };
    };
    expect(pkg.homepage).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${pkg.homepage}.git` });
  });

  it('Linux: AppImage and deb for x64, published to the repository’s release, nothing to sign', async () => {
    const { run, call, signing } = await build('linux');
    expect(run.code).toBe(0);
    expect(call?.args).toEqual(['--linux', '--x64', ...publishArgs]);
    expect(call?.env.GH_TOKEN).toBe('token-from-the-workflow');
    // Empty secrets are gone, not passed on as "" (which electron-builder would read as a certificate).
    expect(signing).toEqual({});
    expect(run.stdout).not.toMatch(/notice/);
  });

  it('Windows without a certificate: unsigned, with a notice on the run', async () => {
    const { run, call, signing } = await build('win', { GITHUB_ACTIONS: 'true' });
    expect(run.code).toBe(0);
    expect(call?.args).toEqual(['--win', '--x64', ...publishArgs]);
    expect(signing).toEqual({});
    expect(run.stdout).toMatch(
      /^::notice title=Code signing::Windows: WIN_CSC_LINK is not set, so the installer is not signed\./m,
    );
  });

  it('Windows with a certificate: passed on, and nothing of macOS', async () => {
    const { run, signing } = await build('win', {
      WIN_CSC_LINK: 'base64-pfx',
      WIN_CSC_KEY_PASSWORD: 'pfx-password',
      MAC_CSC_LINK: 'base64-p12',
      APPLE_ID: 'dev@example.org',
    });
    expect(run.code).toBe(0);
    expect(signing).toEqual({ WIN_CSC_LINK: 'base64-pfx', WIN_CSC_KEY_PASSWORD: 'pfx-password' });
    expect(run.stdout).not.toMatch(/not signed/);
  });

  it('macOS without a certificate: both architectures, no keychain identity picked up, a notice', async () => {
    const { run, call, signing } = await build('mac', { CSC_LINK: 'a-stray-certificate' });
    expect(run.code).toBe(0);
    expect(call?.args).toEqual(['--mac', '--x64', '--arm64', ...publishArgs]);
    expect(signing).toEqual({ CSC_IDENTITY_AUTO_DISCOVERY: 'false' });
    expect(run.stdout).toMatch(/macOS: MAC_CSC_LINK is not set, so the app is neither signed nor notarized/);
  });

  it('macOS with a certificate and the notarization secrets: signed and notarized, quietly', async () => {
    const { run, signing } = await build('mac', {
      MAC_CSC_LINK: 'base64-p12',
      MAC_CSC_KEY_PASSWORD: 'p12-password',
      APPLE_ID: 'dev@example.org',
      APPLE_APP_SPECIFIC_PASSWORD: 'app-password',
      APPLE_TEAM_ID: 'TEAM123',
      WIN_CSC_LINK: 'base64-pfx',
    });
    expect(run.code).toBe(0);
    expect(signing).toEqual({
      CSC_LINK: 'base64-p12',
      CSC_KEY_PASSWORD: 'p12-password',
      APPLE_ID: 'dev@example.org',
      APPLE_APP_SPECIFIC_PASSWORD: 'app-password',
      APPLE_TEAM_ID: 'TEAM123',
    });
    expect(run.stdout).not.toMatch(/not (signed|notarized)/);
  });

  it('macOS signed but not notarized says so', async () => {
    const { run, signing } = await build('mac', { MAC_CSC_LINK: 'base64-p12' });
    expect(run.code).toBe(0);
    expect(signing).toEqual({ CSC_LINK: 'base64-p12' });
    expect(run.stdout).toMatch(
      /macOS: signed, but APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID are not set/,
    );
  });

  it('macOS with half the notarization secrets stops before building, naming the missing ones', async () => {
    const { run, call } = await build('mac', { MAC_CSC_LINK: 'base64-p12', APPLE_ID: 'dev@example.org' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      'release-build: notarization needs APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID; APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID missing. Set them all, or remove them all.',
    );
    expect(call).toBeNull();
  });

  it.each([
    [['solaris'], {}, /say which installers to build: linux, win or mac \(got "solaris"\)/],
    [[], {}, /say which installers to build: linux, win or mac \(got undefined\)/],
    [['linux'], { GITHUB_REPOSITORY: '' }, /GITHUB_REPOSITORY must be owner\/name \(got ""\)/],
    [['linux'], { GITHUB_REPOSITORY: 'no-slash' }, /GITHUB_REPOSITORY must be owner\/name/],
    [['linux'], { GH_TOKEN: '' }, /GH_TOKEN is not set/],
  ])('refuses %j with %j before building', async (args, env, message) => {
    fixture = scriptFixture();
    fixture.write('package.json', '{}');
    const run = await fixture.run('release-build.mjs', args, { ...NO_SECRETS, ...env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(fixture.builderCall()).toBeNull();
  });

  it('fails as electron-builder fails', async () => {
    const { run, call } = await build('linux', {}, 3);
    expect(call).not.toBeNull();
    expect(run.code).toBe(3);
  });
});
