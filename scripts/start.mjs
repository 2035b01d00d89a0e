// `npm start`: the desktop app in development (Electron Forge). Where the Electron binary could not be
// downloaded (as on our build machines), say so in one line instead of letting `require('electron')`
// try the download again and fail with a stack trace.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The binary `require('electron')` would return, found without triggering its download fallback. */
function electronBinary() {
  try {
    const dir = path.dirname(require.resolve('electron/package.json'));
    if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return process.env.ELECTRON_OVERRIDE_DIST_PATH;
    const pathFile = path.join(dir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

if (electronBinary() === null) {
  console.error(
    'npm start: the Electron binary is not installed here (node_modules/electron/dist is missing); run `npm run demo` for the player in your browser instead.',
  );
  process.exit(1);
}

const forge = process.platform === 'win32' ? 'electron-forge.cmd' : 'electron-forge';
const result = spawnSync(
  path.join('node_modules', '.bin', forge),
  ['start', '--', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
