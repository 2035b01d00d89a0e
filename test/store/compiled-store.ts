import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Child processes run plain Node 20, which cannot load TypeScript. Compile just core/store (and what it
 * imports) from the current sources into test-artifacts/, inside the repo so the children resolve
 * node_modules as the app does. Returns the module URL and a cleanup function.
 */
export function compileStore(): { moduleUrl: string; cleanup: () => void } {
  const outDir = path.join(repo, 'test-artifacts', `store-dist-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  // The flags mirror tsconfig.json; a tsconfig cannot be combined with a file list on the command line.
  const flags = [
    '--outDir',
    outDir,
    '--rootDir',
    repo,
    '--module',
    'NodeNext',
    '--moduleResolution',
    'NodeNext',
  ];
  flags.push('--target', 'ES2022', '--types', 'node', '--skipLibCheck', '--esModuleInterop', '--strict');
  execFileSync(process.execPath, [tsc, ...flags, path.join(repo, 'core', 'store', 'index.ts')], {
    cwd: repo,
    stdio: 'pipe',
  });
  return {
    moduleUrl: pathToFileURL(path.join(outDir, 'core', 'store', 'index.js')).href,
    cleanup: () => rmSync(outDir, { recursive: true, force: true }),
  };
}

export const fixtures = path.join(repo, 'test', 'fixtures', 'store');
