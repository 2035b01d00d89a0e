import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
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
    cwd: projectRoot(),
  });
  return outDir;
}

/** The directory holding vite.config.ts: two levels up in the sources, three from dist/ (the bench). */
function projectRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(path.join(dir, 'vite.config.ts'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      if (existsSync(path.join(process.cwd(), 'vite.config.ts'))) return process.cwd();
      throw new Error(`vite.config.ts not found above ${import.meta.dirname} or in ${process.cwd()}`);
    }
    dir = parent;
  }
  return dir;
}
