/**
 * The store's platform branches, each run here with the platform injected: Windows' transient rename
 * failures, case-insensitive store names on Windows and macOS, and SQLite's full syncs for macOS.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WINDOWS_RENAME_PAUSES_MS, renameReplacing } from '../../core/store/rename-replacing.js';
import { storeKey } from '../../core/store/lock-file.js';
import { openIndex } from '../../core/store/open-index.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

afterAll(() => cleanupTempDirs());

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: rename failed`), { code });
}

/** A rename that fails with `codes` in turn, then succeeds; records every call and pause. */
function flakyRename(codes: string[]) {
  const calls: string[] = [];
  const pauses: number[] = [];
  return {
    calls,
    pauses,
    rename: async (from: string, to: string) => {
      calls.push(`${from}->${to}`);
      const code = codes.shift();
      if (code !== undefined) throw errno(code);
    },
    pause: async (ms: number) => {
      pauses.push(ms);
    },
  };
}

describe('renameReplacing', () => {
  it.each(['EPERM', 'EACCES', 'EBUSY'])(
    'Windows: retries %s until the other handle lets go',
    async (code) => {
      const flaky = flakyRename([code, code, code]);
      await renameReplacing('a.tmp', 'a', { platform: 'win32', ...flaky });
      expect(flaky.calls).toHaveLength(4);
      expect(flaky.pauses).toEqual(WINDOWS_RENAME_PAUSES_MS.slice(0, 3));
    },
  );

  it('Windows: gives up after the last pause with the last error', async () => {
    const flaky = flakyRename(Array.from({ length: 50 }, () => 'EPERM'));
    await expect(renameReplacing('a.tmp', 'a', { platform: 'win32', ...flaky })).rejects.toMatchObject({
      code: 'EPERM',
    });
    expect(flaky.pauses).toEqual(WINDOWS_RENAME_PAUSES_MS);
    expect(flaky.calls).toHaveLength(WINDOWS_RENAME_PAUSES_MS.length + 1);
  });

  it('Windows: other errors (a missing temp file, a full disk) are not retried', async () => {
    for (const code of ['ENOENT', 'ENOSPC']) {
      const flaky = flakyRename([code]);
      await expect(renameReplacing('a.tmp', 'a', { platform: 'win32', ...flaky })).rejects.toMatchObject({
        code,
      });
      expect(flaky.calls).toHaveLength(1);
      expect(flaky.pauses).toEqual([]);
    }
  });

  it.each(['linux', 'darwin'] as const)('%s: an error is real at once, never retried', async (platform) => {
    const flaky = flakyRename(['EPERM']);
    await expect(renameReplacing('a.tmp', 'a', { platform, ...flaky })).rejects.toMatchObject({
      code: 'EPERM',
    });
    expect(flaky.calls).toHaveLength(1);
    expect(flaky.pauses).toEqual([]);
  });

  it('replaces an existing file with real files on this machine', async () => {
    const dir = tempDir('rename');
    const from = path.join(dir, 'chunk.tmp');
    const to = path.join(dir, 'chunk');
    writeFileSync(to, 'old');
    writeFileSync(from, 'new');
    await renameReplacing(from, to);
    expect(readFileSync(to, 'utf8')).toBe('new');
    expect(existsSync(from)).toBe(false);
  });
});

describe('storeKey', () => {
  it('Windows and macOS: one store whatever the case of its path', () => {
    expect(storeKey('C:\\Users\\Me\\Store', 'win32')).toBe(storeKey('c:\\users\\me\\store', 'win32'));
    expect(storeKey('/Users/me/PeerStreamer/Store', 'darwin')).toBe(
      storeKey('/users/me/peerstreamer/store', 'darwin'),
    );
  });

  it('Linux: paths differing by case are different stores', () => {
    expect(storeKey('/srv/Store', 'linux')).not.toBe(storeKey('/srv/store', 'linux'));
    expect(storeKey('/srv/Store', 'linux')).toBe('/srv/Store');
  });
});

describe('SQLite syncing', () => {
  it('asks for F_FULLFSYNC (used on macOS, ignored elsewhere) on every sync and checkpoint', () => {
    const db = openIndex(tempDir('fullfsync'));
    try {
      expect(db.pragma('fullfsync', { simple: true })).toBe(1);
      expect(db.pragma('checkpoint_fullfsync', { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });
});
