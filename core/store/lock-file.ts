import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PeerStreamerError } from '../util/errors.js';

/**
 * The real lock is SQLite's exclusive OS lock on index.sqlite, which the kernel drops when a process
 * dies, so a SIGKILLed node never blocks its own restart. This `lock` file says who holds it: the
 * error names that process, and the CLI uses the pid, while it is alive, as the sign that a node runs
 * on the store (to send a named pipe the store's control token, or to wait for a node still opening
 * its control channel). It never decides whether the store may be opened; the SQLite lock does.
 */
export const LOCK_FILE = 'lock';

/** Stores open in this process, by directory: checked before SQLite is touched at all. */
const REGISTRY_KEY = Symbol.for('peerstreamer.store.open-dirs');
const openDirs: Set<string> =
  ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] as Set<string> | undefined) ?? new Set<string>();
(globalThis as Record<symbol, unknown>)[REGISTRY_KEY] = openDirs;

/**
 * The name a store directory is known by in this process. Windows and macOS file systems ignore case
 * (NTFS always, APFS by default), so there C:\Users\Me\Store and c:\users\me\store are one store and
 * must meet in the registry; Linux file systems tell them apart. On a rare case-sensitive APFS volume
 * two stores differing only by case are then refused together, which errs on the safe side.
 */
export function storeKey(dir: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' || platform === 'darwin' ? dir.toLowerCase() : dir;
}

export function claimInProcess(dir: string): void {
  const key = storeKey(dir);
  if (openDirs.has(key)) throw lockedError(dir, process.pid);
  openDirs.add(key);
}

export function releaseInProcess(dir: string): void {
  openDirs.delete(storeKey(dir));
}

export function writeLockFile(dir: string): void {
  writeFileSync(
    path.join(dir, LOCK_FILE),
    `${JSON.stringify({ pid: process.pid, openedAt: new Date().toISOString() })}\n`,
  );
}

export function removeLockFile(dir: string): void {
  try {
    unlinkSync(path.join(dir, LOCK_FILE));
  } catch (error) {
    // Already gone is fine: removing it frees nothing, the SQLite lock is the lock (see above).
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** The pid recorded by the current holder, if the file is there and readable. */
export function lockHolderPid(dir: string): number | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as { pid?: unknown };
    return typeof parsed.pid === 'number' ? parsed.pid : undefined;
  } catch {
    // A missing or half-written lock file only costs the pid in the message.
    return undefined;
  }
}

export function lockedError(dir: string, pid: number | undefined, cause?: unknown): PeerStreamerError {
  const who =
    pid === undefined
      ? 'another process'
      : pid === process.pid
        ? `this process (pid ${pid}) already`
        : `process ${pid}`;
  return new PeerStreamerError(
    'STORE_LOCKED',
    `The store ${dir} is in use by ${who}; one store serves one node. Stop that node first, or give this one its own directory with --store.`,
    { dir, pid },
    cause === undefined ? undefined : { cause },
  );
}
