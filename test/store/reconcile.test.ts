import { existsSync, mkdirSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingest, makeVideo, openStore, payload, sha256 } from './helpers.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

afterEach(cleanupTempDirs);

function blobPath(dir: string, bytes: Buffer): string {
  const hash = sha256(bytes);
  return path.join(dir, 'blobs', hash.slice(0, 2), hash);
}

describe('reconcile on open', () => {
  it('drops rows whose file is missing or truncated, and keeps the rest', async () => {
    const dir = tempDir();
    const video = makeVideo('v', 4);
    const first = await openStore(dir);
    await ingest(first, video);
    first.close();

    rmSync(blobPath(dir, video.chunks[1]!));
    truncateSync(blobPath(dir, video.chunks[2]!), 10);

    const store = await openStore(dir);
    try {
      expect(store.reconcileReport).toMatchObject({ droppedRows: 2, orphanBlobs: 1, tempFiles: 0 });
      expect(store.heldChunks('v').map((key) => key.index)).toEqual([-1, 0, 3]);
      // The truncated file was an orphan once its row went; it is gone too.
      expect(existsSync(blobPath(dir, video.chunks[2]!))).toBe(false);
      expect(await store.getChunk('v', 3, { verify: true })).toEqual(video.chunks[3]);
      expect(store.stats().bytes).toBe(100 + 2 * 1000);
    } finally {
      store.close();
    }
  });

  it('removes orphan blob files and leftover temp files, and leaves foreign files alone', async () => {
    const dir = tempDir();
    (await openStore(dir)).close();
    const orphan = payload('orphan', 0, 50);
    writeFileSync(blobPath(dir, orphan), orphan);
    writeFileSync(path.join(dir, 'tmp', 'abc.123.0.tmp'), 'half a chunk');
    mkdirSync(path.join(dir, 'tmp', 'odd-dir'));
    writeFileSync(path.join(dir, 'blobs', 'aa', 'README'), 'not ours');

    const store = await openStore(dir);
    try {
      expect(store.reconcileReport).toMatchObject({ droppedRows: 0, orphanBlobs: 1, tempFiles: 2 });
      expect(existsSync(blobPath(dir, orphan))).toBe(false);
      expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
      expect(existsSync(path.join(dir, 'blobs', 'aa', 'README'))).toBe(true);
    } finally {
      store.close();
    }
  });

  it('drops a chunk whose file went bad between reads, and never returns wrong bytes', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    try {
      const video = makeVideo('v', 3);
      await ingest(store, video);
      const removed: string[] = [];
      store.on('chunk-removed', (key) => removed.push(`${key.video}/${key.index}`));

      // Same size, different bytes: only a verifying read can tell.
      const forged = Buffer.from(video.chunks[0]!);
      forged[0] = forged[0]! ^ 1;
      writeFileSync(blobPath(dir, video.chunks[0]!), forged);
      expect(await store.getChunk('v', 0, { verify: true })).toBeUndefined();
      expect(store.hasChunk('v', 0)).toBe(false);

      // Wrong size is caught even without verify.
      writeFileSync(blobPath(dir, video.chunks[1]!), Buffer.alloc(5));
      expect(await store.getChunk('v', 1)).toBeUndefined();

      rmSync(blobPath(dir, video.init));
      expect(await store.getInit('v')).toBeUndefined();
      expect(removed).toEqual(['v/0', 'v/1', 'v/-1']);
    } finally {
      store.close();
    }
  });

  it('verifyAll re-hashes everything, init segments included, and drops what is bad', async () => {
    const dir = tempDir();
    const store = await openStore(dir, { verifyReads: true });
    try {
      const video = makeVideo('v', 4);
      await ingest(store, video);
      const badInit = Buffer.from(video.init);
      badInit[3] = badInit[3]! ^ 0xff;
      writeFileSync(blobPath(dir, video.init), badInit);
      writeFileSync(blobPath(dir, video.chunks[2]!), Buffer.alloc(1000));
      rmSync(blobPath(dir, video.chunks[3]!));

      const report = await store.verifyAll();
      expect(report.checkedChunks).toBe(5);
      expect(report.repaired).toBe(3);
      expect(report.problems.sort((a, b) => a.index - b.index)).toEqual([
        { video: 'v', index: -1, problem: 'wrong-hash' },
        { video: 'v', index: 2, problem: 'wrong-hash' },
        { video: 'v', index: 3, problem: 'missing' },
      ]);
      expect(store.heldChunks('v').map((key) => key.index)).toEqual([0, 1]);
      expect((await store.verifyAll()).problems).toEqual([]);
      // verifyReads: a silently corrupted chunk is caught without asking.
      const bad = Buffer.from(video.chunks[0]!);
      bad[999] = bad[999]! ^ 1;
      writeFileSync(blobPath(dir, video.chunks[0]!), bad);
      expect(await store.getChunk('v', 0)).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('hashes each chunk on its first read after an open: a byte flipped while closed is never served', async () => {
    const dir = tempDir();
    const video = makeVideo('v', 3);
    const first = await openStore(dir);
    await ingest(first, video);
    first.close();

    // Same size, one bit off: reconcile (sizes only) keeps it, and a plain read must still refuse it.
    const flipped = Buffer.from(video.chunks[1]!);
    flipped[500] = flipped[500]! ^ 0x10;
    writeFileSync(blobPath(dir, video.chunks[1]!), flipped);

    const store = await openStore(dir);
    try {
      const removed: string[] = [];
      store.on('chunk-removed', (key) => removed.push(`${key.video}/${key.index}`));
      expect(store.hasChunk('v', 1)).toBe(true);
      expect(await store.getChunk('v', 1)).toBeUndefined();
      expect(store.hasChunk('v', 1)).toBe(false);
      expect(removed).toEqual(['v/1']);
      // The sound ones are served, and stored again the dropped one is served too.
      expect(await store.getChunk('v', 0)).toEqual(video.chunks[0]);
      await store.putChunk('v', 1, video.chunks[1]!);
      expect(await store.getChunk('v', 1)).toEqual(video.chunks[1]);
    } finally {
      store.close();
    }
  });
});
