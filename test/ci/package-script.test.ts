/**
 * `npm run package` / `npm run make` (scripts/package.mjs) in a throwaway project: the schema check,
 * the build, then electron-builder only when Electron's zip can be had; otherwise one line saying
 * where it stopped. electron-builder is a stand-in that records its call, so nothing is packaged and
 * no native module is rebuilt here.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, scriptFixture, type ScriptFixture } from './script-fixture.js';

const ELECTRON = (
  JSON.parse(readFileSync(path.join(REPO, 'node_modules', 'electron', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
const ZIP = `electron-v${ELECTRON}-${process.platform}-${process.arch}.zip`;

let fixture: ScriptFixture;
afterEach(() => fixture.cleanup());

function project(config = readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8')): ScriptFixture {
  fixture = scriptFixture(['js-yaml', 'app-builder-lib', 'builder-util', 'electron']);
  fixture.write(
    'package.json',
    JSON.stringify({
      name: 'fixture',
      version: '1.0.0',
      scripts: { 'build:app': `node -e "require('fs').writeFileSync('built.txt', 'built')"` },
    }),
  );
  fixture.write('electron-builder.yml', config);
  return fixture;
}

/** Every place the script looks for a downloaded Electron, inside the fixture; and an unreachable mirror. */
function offline(dir: string): Record<string, string> {
  return {
    ELECTRON_BUILDER_CACHE: path.join(dir, 'cache', 'builder'),
    electron_config_cache: path.join(dir, 'cache', 'get'),
    XDG_CACHE_HOME: path.join(dir, 'cache', 'xdg'),
    HOME: path.join(dir, 'home'),
    USERPROFILE: path.join(dir, 'home'),
    LOCALAPPDATA: path.join(dir, 'cache', 'local'),
    // .invalid never resolves (RFC 2606), so this is "no network" on any machine.
    ELECTRON_MIRROR: 'http://electron-mirror.invalid/',
  };
}

const built = () => {
  try {
    return readFileSync(path.join(fixture.dir, 'built.txt'), 'utf8') === 'built';
  } catch {
    return false;
  }
};

describe('package.mjs', () => {
  it('without Electron’s zip or a way to download it: builds, then stops in one line saying where', async () => {
    const dir = project().dir;
    const run = await fixture.run('package.mjs', ['--dir'], offline(dir));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/package: electron-builder\.yml passes electron-builder’s schema\./);
    expect(built()).toBe(true);
    // The one line, and nothing else on stderr.
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const [line] = lines as [string];
    expect(
      line.startsWith(
        `npm run package: checked electron-builder.yml and built the app; stopped before packaging: Electron ${ELECTRON} (${ZIP}) is in no download cache (${path.join(dir, 'cache', 'builder')}, ${path.join(dir, 'cache', 'get')}, `,
      ),
    ).toBe(true);
    expect(
      line.endsWith(
        `) and electron-mirror.invalid cannot be reached (ENOTFOUND). Package where the network is open (the release workflow does), or put ${ZIP} in one of those caches.`,
      ),
    ).toBe(true);
    expect(fixture.builderCall()).toBeNull();
  });

  it('with the zip in electron-builder’s cache: runs electron-builder with the arguments given', async () => {
    const dir = project().dir;
    const cached = path.join(dir, 'cache', 'builder', `v${ELECTRON}`);
    mkdirSync(cached, { recursive: true });
    writeFileSync(path.join(cached, ZIP), 'a zip');
    const run = await fixture.run('package.mjs', ['--dir'], offline(dir));
    expect(run.code).toBe(0);
    expect(built()).toBe(true);
    expect(fixture.builderCall()?.args).toEqual(['--dir']);
  });

  it('a configuration electron-builder would refuse stops first, naming the key; nothing is built', async () => {
    const config = readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8').replace(
      'category: AudioVideo',
      'categroy: AudioVideo',
    );
    const dir = project(config).dir;
    const run = await fixture.run('package.mjs', ['--dir'], offline(dir));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^npm run package: electron-builder\.yml is not valid \(.*configuration\.linux.*\); nothing was built\.$/m,
    );
    expect(built()).toBe(false);
    expect(fixture.builderCall()).toBeNull();
  });
});
