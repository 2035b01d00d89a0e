// `npm run package` (an unpacked app) and `npm run make` (installers): electron-builder, after the
// steps that need no Electron. electron-builder downloads Electron's own zip (not the npm binary) and
// rebuilds the native modules in node_modules for Electron *before* that download, so on a machine
// that cannot get the zip (as our build machines) it would leave better-sqlite3 built for the wrong
// runtime and then fail with a stack trace. So: check electron-builder.yml against electron-builder's
// schema, build main, preload and renderer, then run electron-builder only if Electron can be had;
// otherwise say in one line where it stopped.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const builderArgs = process.argv.slice(2);

function fail(line) {
  console.error(`npm run package: ${line}`);
  process.exit(1);
}

async function checkConfig() {
  const yaml = require('js-yaml');
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
  const { DebugLogger } = require('builder-util');
  let config;
  try {
    config = yaml.load(readFileSync('electron-builder.yml', 'utf8'));
    await validateConfiguration(config, new DebugLogger(false));
  } catch (error) {
    fail(`electron-builder.yml is not valid (${error.message.split('\n').join(' ')}); nothing was built.`);
  }
  console.log('package: electron-builder.yml passes electron-builder’s schema.');
}

function buildApp() {
  // Through the npm that runs us (npm_execpath), so no shell is needed on Windows.
  const npm = /npm-cli\.js$/.test(process.env.npm_execpath ?? '') ? process.env.npm_execpath : null;
  const ran = npm
    ? spawnSync(process.execPath, [npm, 'run', 'build:app'], { stdio: 'inherit' })
    : spawnSync('npm', ['run', 'build:app'], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (ran.status !== 0) fail('`npm run build:app` failed (above); nothing was packaged.');
  console.log('package: built dist/electron (main, preload) and dist/renderer.');
}

/** Where electron-builder and @electron/get keep downloaded Electron zips. */
function cacheDirs() {
  const home = os.homedir();
  const local = process.env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local');
  const cache =
    process.platform === 'darwin'
      ? path.join(home, 'Library', 'Caches')
      : process.platform === 'win32'
        ? local
        : (process.env.XDG_CACHE_HOME ?? path.join(home, '.cache'));
  return [
    process.env.ELECTRON_BUILDER_CACHE,
    process.env.electron_config_cache,
    path.join(cache, 'electron-builder'),
    path.join(cache, 'electron'),
  ].filter(Boolean);
}

function findFile(dir, name, depth) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return null;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return full;
    if (entry.isDirectory() && depth > 0) {
      const found = findFile(full, name, depth - 1);
      if (found) return found;
    }
  }
  return null;
}

/** Resolves with null when the zip's URL answers at all (a redirect is fine), else the reason. */
function unreachable(url) {
  return new Promise((resolve) => {
    const request = (url.startsWith('http:') ? httpRequest : httpsRequest)(url, { method: 'HEAD' });
    request.setTimeout(10_000, () => request.destroy(new Error('no answer within 10 s')));
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode < 400 ? null : `HTTP ${response.statusCode}`);
    });
    request.on('error', (error) => resolve(error.code ?? error.message));
    request.end();
  });
}

async function checkElectron() {
  const { version } = require('electron/package.json');
  const zip = `electron-v${version}-${process.platform}-${process.arch}.zip`;
  const cached = cacheDirs()
    .map((dir) => findFile(dir, zip, 3))
    .find(Boolean);
  if (cached) return;
  const mirror = process.env.ELECTRON_MIRROR ?? 'https://github.com/electron/electron/releases/download/';
  const url = `${mirror}${process.env.ELECTRON_CUSTOM_DIR ?? `v${version}`}/${zip}`;
  const why = await unreachable(url);
  if (why === null) return;
  fail(
    `checked electron-builder.yml and built the app; stopped before packaging: Electron ${version} (${zip}) is in no download cache (${cacheDirs().join(', ')}) and ${new URL(url).host} cannot be reached (${why}). Package where the network is open (the release workflow does), or put ${zip} in one of those caches.`,
  );
}

await checkConfig();
buildApp();
await checkElectron();
const builder = path.join(path.dirname(require.resolve('electron-builder/package.json')), 'cli.js');
const ran = spawnSync(process.execPath, [builder, ...builderArgs], { stdio: 'inherit' });
process.exit(ran.status ?? 1);
