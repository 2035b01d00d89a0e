import { mkdir, mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build } from 'vite';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Builds a small React page from test fixtures (`harnessDir` holds its index.html) into a fresh
 * folder under node_modules/.cache, and returns that folder for the test to serve and remove.
 */
export async function buildHarness(harnessDir: string, label: string): Promise<string> {
  const cache = path.join(REPO, 'node_modules', '.cache', 'peerstreamer-harnesses');
  await mkdir(cache, { recursive: true });
  const outDir = await mkdtemp(path.join(cache, `${label}-`));
  await build({
    configFile: false,
    root: harnessDir,
    base: './',
    logLevel: 'silent',
    plugins: [react()],
    build: { outDir, emptyOutDir: true, minify: false },
  });
  return outDir;
}
