import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Temp directories made so far; cleanupTempDirs() removes them (test files call it in afterEach/afterAll). */
const made: string[] = [];

/** A fresh directory `peerstreamer-<label>-XXXXXX` in the OS temp dir. */
export function tempDir(label = 'test'): string {
  const name = label.replace(/^peerstreamer-/, '').replace(/-$/, '');
  const dir = mkdtempSync(path.join(os.tmpdir(), `peerstreamer-${name}-`));
  made.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
