import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode, ingest, makeVideo, openStore } from './helpers.js';
import { lacks, requires } from '../helpers/requirements.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

const noMounts = lacks(requires.tmpfsMounts);

/** Small tmpfs mounts give a real ENOSPC and a real read-only file system; this needs root. */
const mounts: string[] = [];

function mountTmpfs(options: string): string {
  const dir = path.join(tempDir('mount'), 'fs');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      `These tests mount a small tmpfs to run out of space for real, which needs root (mount -t tmpfs -o ${options} tmpfs ${dir} failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}). Run them as root or in a container that allows mount.`,
      { cause: error },
    );
  }
  mounts.push(dir);
  return dir;
}

beforeAll(() => {
  execFileSync('mount', ['--version'], { stdio: 'pipe' });
});

afterAll(() => {
  for (const dir of mounts.splice(0)) execFileSync('umount', [dir]);
  cleanupTempDirs();
});

describe.skipIf(noMounts)('a full or read-only disk', () => {
  it('says DISK_FULL naming the store, and the index stays intact and usable', async () => {
    const dir = mountTmpfs('size=1m');
    const store = await openStore(dir);
    const video = makeVideo('big', 40, 64 * 1024); // 2.5 MiB: cannot fit
    store.putManifest(video.manifest);
    let stored = 0;
    const error = await expectCode(
      (async () => {
        for (; stored < video.chunks.length; stored++)
          await store.putChunk('big', stored, video.chunks[stored]!);
      })(),
      'DISK_FULL',
    );
    expect(error.message).toContain(dir);
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(video.chunks.length);

    // Everything indexed before the failure is still there and whole; the failed chunk is not.
    const held = store.heldChunks('big').map((key) => key.index);
    expect(held).toEqual(Array.from({ length: stored }, (_, n) => n));
    for (const index of held) {
      // Buffer.equals: a deep toEqual over 64 KiB buffers takes seconds.
      const bytes = await store.getChunk('big', index, { verify: true });
      expect(bytes?.equals(video.chunks[index]!)).toBe(true);
    }
    store.close();

    const reopened = await openStore(dir);
    try {
      expect(reopened.heldChunks('big')).toHaveLength(stored);
      expect((await reopened.verifyAll()).problems).toEqual([]);
      // Once space is freed, writing works again.
      await reopened.setCapacity(64 * 1024 * 4);
      await reopened.putChunk('big', stored, video.chunks[stored]!);
      expect(reopened.hasChunk('big', stored)).toBe(true);
    } finally {
      reopened.close();
    }
  });

  it('an ingest that runs out of space mid-group says DISK_FULL, and abort leaves nothing behind', async () => {
    const dir = mountTmpfs('size=1m');
    const store = await openStore(dir);
    try {
      const video = makeVideo('too big', 24, 64 * 1024); // 1.5 MiB: cannot fit
      const writer = store.beginVideo('too big', { replace: false });
      // The failure of a write still in flight surfaces at a later write or at commit.
      const error = await expectCode(
        (async () => {
          await writer.writeInit(video.init);
          for (const [index, bytes] of video.chunks.entries()) await writer.writeChunk(index, bytes);
          await writer.commit(video.manifest);
        })(),
        'DISK_FULL',
      );
      expect(error.message).toContain(dir);
      await writer.abort();
      await store.whenIdle();
      expect(store.listVideos()).toEqual([]);
      const blobs = path.join(dir, 'blobs');
      expect(readdirSync(blobs).flatMap((sub) => readdirSync(path.join(blobs, sub)))).toEqual([]);
      expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
      // Space is free again: a video that fits goes in.
      const small = makeVideo('fits', 4, 64 * 1024);
      await ingest(store, small);
      expect(store.heldChunks('fits')).toHaveLength(5);
    } finally {
      store.close();
    }
  });

  it('says STORE_NOT_WRITABLE for a store on a read-only file system', async () => {
    const dir = mountTmpfs('ro,size=1m');
    const error = await expectCode(openStore(path.join(dir)), 'STORE_NOT_WRITABLE');
    expect(error.message).toContain(dir);
    expect(error.message).toMatch(/read-only/);
    await expectCode(openStore(path.join(dir, 'sub')), 'STORE_NOT_WRITABLE');
  });
});
