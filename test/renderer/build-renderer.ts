import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Builds the renderer with the project's vite.config.ts into a fresh directory, so parallel test
 * files never race on one output folder and the tests serve exactly what `vite build` produces.
 */
export async function buildRenderer(): Promise<string> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'ps-renderer-'));
  await run('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: path.resolve(import.meta.dirname, '..', '..'),
  });
  return outDir;
}
