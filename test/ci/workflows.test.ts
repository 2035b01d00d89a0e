/**
 * The workflows as `npm run check` validates them (scripts/check-workflows.mjs, the GitHub workflow
 * schema via @action-validator/cli), and what they promise: the OS x Node matrix, the steps, and the
 * release's jobs and secrets. YAML is read with js-yaml, the parser electron-builder already brings.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lacks, requires } from '../helpers/requirements.js';
import { REPO, scriptFixture, type ScriptFixture } from './script-fixture.js';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };

interface Step {
  id?: string;
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  'runs-on': string;
  needs?: string;
  container?: { image: string; options: string };
  strategy?: { matrix: Record<string, unknown> };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  concurrency: { group: string; 'cancel-in-progress': boolean | string };
  permissions: Record<string, string>;
  env: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = (name: string) =>
  yaml.load(readFileSync(path.join(REPO, '.github', 'workflows', name), 'utf8')) as Workflow;
const runs = (job: Job) => job.steps.map((step) => step.run?.trim()).filter(Boolean);
/** The commands every run of the job goes through (steps without a condition). */
const everyRun = (job: Job) => runs({ ...job, steps: job.steps.filter((step) => step.if === undefined) });
const checkouts = (job: Job) => job.steps.filter((step) => step.uses?.startsWith('actions/checkout@'));

let fixture: ScriptFixture | null = null;
afterEach(() => {
  fixture?.cleanup();
  fixture = null;
});

describe('check-workflows.mjs', () => {
  it('finds both workflows valid', async () => {
    fixture = scriptFixture();
    const run = await fixture.run('check-workflows.mjs', [path.join(REPO, '.github', 'workflows')]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.trim()).toBe('check-workflows: ci.yml, release.yml match the GitHub workflow schema.');
  });

  it('fails on a misspelt key, naming the file and the key', async () => {
    fixture = scriptFixture();
    fixture.write(
      'flows/good.yml',
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n',
    );
    fixture.write(
      'flows/typo.yml',
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz:\n      - run: echo\n',
    );
    const run = await fixture.run('check-workflows.mjs', ['flows']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^check-workflows: flows[\\/]typo\.yml does not match the GitHub workflow schema:/,
    );
    expect(run.stderr).toMatch(/Additional property 'stepz' is not allowed/);
    expect(run.stderr).not.toMatch(/good\.yml/);
  });

  it('fails when there is nothing to check', async () => {
    fixture = scriptFixture();
    fixture.write('flows/README', 'no workflows here');
    expect(await fixture.run('check-workflows.mjs', ['flows'])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/flows holds no \.yml workflows; nothing was checked/),
    });
    expect(await fixture.run('check-workflows.mjs', ['missing'])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/cannot read missing \(ENOENT\)/),
    });
  });

  it('runs as part of npm run check', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      scripts: { check: string };
    };
    expect(pkg.scripts.check).toMatch(/&& node scripts\/check-workflows\.mjs$/);
  });
});

describe('ci.yml', () => {
  const ci = workflow('ci.yml');

  it('runs on pushes to main and on pull requests', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_dispatch']);
    expect(ci.on.push).toEqual({ branches: ['main'] });
    expect(ci.permissions).toEqual({ contents: 'read' });
  });

  it('covers Linux, macOS and Windows, each on Node 20 and 22', () => {
    const { linux, 'macos-windows': others } = ci.jobs;
    expect(linux!['runs-on']).toBe('ubuntu-latest');
    expect(linux!.strategy!.matrix).toEqual({ node: [20, 22] });
    expect(others!.strategy!.matrix).toEqual({ os: ['macos-latest', 'windows-latest'], node: [20, 22] });
    for (const job of [linux!, others!]) {
      const setup = job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
      expect(setup?.with).toMatchObject({ 'node-version': '${{ matrix.node }}' });
    }
    expect(everyRun(others!).slice(-3)).toEqual(['npm ci --no-audit --no-fund', 'npm run check', 'npm test']);
    // Linux also runs the multi-host beds, which need root and network namespaces.
    expect(everyRun(linux!).slice(-4)).toEqual([
      'npm ci --no-audit --no-fund',
      'npm run check',
      'npm test',
      'npm run test:hosts',
    ]);
  });

  it('runs Linux in Debian with its ffmpeg and Chromium, privileged for the tmpfs tests and the beds', () => {
    const linux = ci.jobs.linux!;
    expect(linux.container?.image).toMatch(/^debian:/);
    expect(linux.container?.options).toMatch(/--privileged/);
    const install = runs(linux)[0]!;
    expect(install).toMatch(/apt-get install .*\bffmpeg\b.*\bchromium\b/s);
    // The beds' namespaces and NAT: `ip` and `nft`; and the UPnP bed's router, miniupnpd.
    expect(install).toMatch(/\biproute2\b.*\bnftables\b/s);
    expect(install).toMatch(/\bminiupnpd-nftables\b/);
  });

  it('a new push cancels a pull request’s running checks, but never a run on main', () => {
    expect(ci.concurrency).toEqual({
      group: 'ci-${{ github.ref }}',
      'cancel-in-progress': "${{ github.event_name == 'pull_request' }}",
    });
  });

  it('on Windows, starts the CLI the way the README runs the demo there (npm run demo needs exec)', () => {
    const steps = ci.jobs['macos-windows']!.steps;
    const smoke = steps.find((step) => step.run?.includes('peerstreamer demo'));
    expect(smoke).toMatchObject({
      if: "runner.os == 'Windows'",
      run: 'npx --no-install peerstreamer demo --help',
    });
    expect(steps.indexOf(smoke!)).toBeGreaterThan(steps.findIndex((step) => step.run?.startsWith('npm ci')));
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    expect(readme).toContain('On Windows, run `npx --no-install peerstreamer demo` instead');
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      scripts: { demo: string };
    };
    expect(pkg.scripts.demo).toMatch(/^exec node /);
  });

  it('checks out with LF endings on Windows, before the checkout', () => {
    const steps = ci.jobs['macos-windows']!.steps;
    const crlf = steps.findIndex((step) => step.run === 'git config --global core.autocrlf false');
    const checkout = steps.findIndex((step) => step.uses?.startsWith('actions/checkout@'));
    expect(crlf).toBeGreaterThanOrEqual(0);
    expect(crlf).toBeLessThan(checkout);
  });
});

describe('release.yml', () => {
  const release = workflow('release.yml');

  it('runs on version tags and may write releases', () => {
    expect(release.on).toEqual({ push: { tags: ['v[0-9]+.[0-9]+.[0-9]+*'] } });
    expect(release.permissions).toEqual({ contents: 'write' });
  });

  it('checks the tag and makes the draft once, before the builds', () => {
    const draft = release.jobs.draft!;
    expect(runs(draft)[0]).toBe('node scripts/release-notes.mjs "$GITHUB_REF_NAME" > release-notes.md');
    expect(runs(draft)[1]).toMatch(/gh release create "\$GITHUB_REF_NAME" --draft --verify-tag /);
    expect(release.jobs.installers!.needs).toBe('draft');
  });

  it('keeps the token out of .git/config, and builds from the lock file without a cache', () => {
    for (const job of Object.values(release.jobs)) {
      expect(checkouts(job)).toHaveLength(1);
      for (const checkout of checkouts(job))
        expect(checkout.with).toMatchObject({ 'persist-credentials': false });
      const setup = job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
      expect(setup?.with).not.toHaveProperty('cache');
    }
  });

  it('adds the Intel ffmpeg and ffprobe at the versions the lock file pins', () => {
    const step = release.jobs.installers!.steps.find(
      (candidate) => candidate.if === "matrix.platform == 'mac'",
    );
    expect(step?.run).toContain(
      'node scripts/locked-version.mjs @ffmpeg-installer/darwin-x64 @ffprobe-installer/darwin-x64',
    );
    expect(step?.run).not.toMatch(/darwin-x64@\d/);
  });

  it('builds on each OS with Node 22, signing with the documented secrets', () => {
    const installers = release.jobs.installers!;
    expect(installers.strategy!.matrix).toEqual({
      include: [
        { os: 'ubuntu-latest', platform: 'linux' },
        { os: 'windows-latest', platform: 'win' },
        { os: 'macos-latest', platform: 'mac' },
      ],
    });
    const setup = installers.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(setup?.with).toMatchObject({ 'node-version': 22 });
    const build = installers.steps.find((step) => step.run?.startsWith('node scripts/release-build.mjs'));
    expect(build?.run).toBe('node scripts/release-build.mjs ${{ matrix.platform }}');
    const secrets = Object.keys(build!.env!).filter((name) => name !== 'GH_TOKEN');
    expect(secrets.sort()).toEqual(
      [
        'APPLE_APP_SPECIFIC_PASSWORD',
        'APPLE_ID',
        'APPLE_TEAM_ID',
        'MAC_CSC_KEY_PASSWORD',
        'MAC_CSC_LINK',
        'WIN_CSC_KEY_PASSWORD',
        'WIN_CSC_LINK',
      ].sort(),
    );
    for (const name of secrets) expect(build!.env![name]).toBe(`\${{ secrets.${name} }}`);
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    for (const name of secrets) expect(readme).toContain(`\`${name}\``);
  });
});

describe.skipIf(lacks(requires.executableScripts))('release.yml’s draft step, run by bash', () => {
  const release = workflow('release.yml');
  const draft = release.jobs.draft!;
  const notes = draft.steps.find((step) => step.run?.includes('scripts/release-notes.mjs'))!;
  const create = draft.steps.find((step) => step.run?.includes('gh release create'))!;

  /** The step's script with a stand-in gh that records its calls and finds no release yet. */
  function runCreate(tag: string, prerelease: string): string[] {
    fixture = scriptFixture();
    const calls = path.join(fixture.dir, 'gh-calls');
    fixture.write(
      'bin/gh',
      `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\n[ "$1 $2" = 'release view' ] && exit 1\nexit 0\n`,
    );
    chmodSync(path.join(fixture.dir, 'bin', 'gh'), 0o755);
    const ran = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', create.run!], {
      cwd: fixture.dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        PATH: `${path.join(fixture.dir, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
        GITHUB_REF_NAME: tag,
        PRERELEASE: prerelease,
        GH_TOKEN: 'token',
      },
    });
    expect(ran.status, ran.stderr).toBe(0);
    return readFileSync(calls, 'utf8').trim().split('\n');
  }

  it('passes the notes step’s prerelease output to the create step', () => {
    expect(notes.id).toBe('notes');
    expect(create.env?.PRERELEASE).toBe('${{ steps.notes.outputs.prerelease }}');
  });

  it('a pre-release tag makes a draft pre-release', () => {
    const calls = runCreate('v1.2.0-beta.1', 'true');
    expect(calls).toEqual([
      'release view v1.2.0-beta.1',
      'release create v1.2.0-beta.1 --draft --verify-tag --prerelease --title PeerStreamer 1.2.0-beta.1 --notes-file release-notes.md',
    ]);
  });

  it('a release tag makes a plain draft', () => {
    const calls = runCreate('v1.2.0', 'false');
    expect(calls.at(-1)).toBe(
      'release create v1.2.0 --draft --verify-tag --title PeerStreamer 1.2.0 --notes-file release-notes.md',
    );
  });
});
