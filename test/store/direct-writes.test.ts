/**
 * Ingest creates each chunk file straight under its content-addressed name (no temp file, no
 * rename). These check what that must never break: a file still being written is never taken for a
 * stored one (by another ingest, by the fetch path, or after damage), and an eviction racing a
 * write of the same bytes never leaves a committed video without its file.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChunkStore } from '../../core/store/chunk-store.js';
import { ingest, makeVideo, openStore, payload, sha256 } from './helpers.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

const stores: ChunkStore[] = [];
async function freshStore(): Promise<ChunkStore> {
  const store = await openStore(tempDir('direct'));
  stores.push(store);
  return store;
}

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  cleanupTempDirs();
});

function blobPath(store: ChunkStore, bytes: Uint8Array): string {
  const hash = sha256(bytes);
  return path.join(store.dir, 'blobs', hash.slice(0, 2), hash);
}

describe('ingest writes chunk files under their final names', () => {
  it('two ingests and a fetched put of the same bytes at once keep one whole file that every reader gets', async () => {
    const store = await freshStore();
    // Large, so each write is still under way while the others start.
    const same = randomBytes(32 * 1024 * 1024);
    const a = makeVideo('a', 2, 0, () => same);
    const b = makeVideo('b', 1, 0, () => same);
    const c = makeVideo('c', 1, 0, () => same);
    store.putManifest(c.manifest);
    // Each reads as soon as its own store resolves, while the others may still be writing.
    const readBack = (video: string, indexes: number[]) => async () =>
      Promise.all(indexes.map((index) => store.getChunk(video, index, { verify: true })));
    const reads = await Promise.all([
      ingest(store, a).then(readBack('a', [0, 1])),
      ingest(store, b).then(readBack('b', [0])),
      store.putChunk('c', 0, same).then(readBack('c', [0])),
    ]);
    for (const bytes of reads.flat()) expect(bytes?.equals(same)).toBe(true);
    const hash = sha256(same);
    // One file for these bytes, under their name. (Only names of this hash count: the videos' init
    // segments are other files, and one of them shares the two-hex directory about once in 85 runs.)
    const files = readdirSync(path.join(store.dir, 'blobs', hash.slice(0, 2)));
    expect(files.filter((name) => name.startsWith(hash))).toEqual([hash]);
    expect(statSync(blobPath(store, same)).size).toBe(same.length);
    expect(readdirSync(path.join(store.dir, 'tmp'))).toEqual([]);
  });

  it('a damaged file already under a chunk name is replaced by the ingest, not taken for the chunk', async () => {
    const store = await freshStore();
    const video = makeVideo('v', 2, 256 * 1024);
    // A file cut short under the name of chunk 1, as damage to a stored file would leave it.
    writeFileSync(blobPath(store, video.chunks[1]!), video.chunks[1]!.subarray(0, 1000));
    await ingest(store, video);
    const bytes = await store.getChunk('v', 1, { verify: true });
    expect(bytes?.equals(video.chunks[1]!)).toBe(true);
    expect(statSync(blobPath(store, video.chunks[1]!)).size).toBe(video.chunks[1]!.length);
    expect(readdirSync(path.join(store.dir, 'tmp'))).toEqual([]);
  });

  it('an eviction of a chunk that an ingest is writing again never leaves the new video without it', async () => {
    const store = await freshStore();
    const chunk = payload('evicted', 0, 4 * 1024 * 1024);
    const cached = makeVideo('cached', 1, 0, () => chunk);
    store.putManifest(cached.manifest);
    // The eviction starts at different points of the write: before its hash is known (so before
    // the write holds the file), and at later turns, while the file is created and written.
    for (let turns = 0; turns < 8; turns++) {
      await store.putChunk('cached', 0, chunk);
      const fresh = makeVideo(`fresh ${turns}`, 1, 0, () => chunk);
      const writer = store.beginVideo(fresh.manifest.name, { replace: false });
      const writing = writer.writeChunk(0, chunk).then(() => writer.writeInit(fresh.init));
      for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve));
      const evicting = store.clearCache();
      await Promise.all([writing, evicting]);
      await writer.commit(fresh.manifest, { pinned: false });
      await store.whenIdle();

      expect(store.hasChunk('cached', 0), `after ${turns} turns`).toBe(false);
      expect(existsSync(blobPath(store, chunk)), `after ${turns} turns`).toBe(true);
      const bytes = await store.getChunk(fresh.manifest.name, 0, { verify: true });
      expect(bytes?.equals(chunk), `after ${turns} turns`).toBe(true);
      await store.deleteVideo(fresh.manifest.name);
      await store.whenIdle();
    }
    expect((await store.verifyAll()).problems).toEqual([]);
  });
});
