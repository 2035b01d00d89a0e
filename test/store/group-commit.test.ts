/**
 * Writes committed in groups: a writer keeps several chunk writes going and commits them together;
 * concurrent puts are indexed in one transaction. What a caller sees must not change: the last write
 * of an index wins, eviction never takes a chunk just put, and the byte count stays exact.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChunkStore } from '../../core/store/chunk-store.js';
import { makeVideo, openStore, payload, sha256 } from './helpers.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

const stores: ChunkStore[] = [];
async function freshStore(capacityBytes?: number): Promise<ChunkStore> {
  const store = await openStore(tempDir('group'), capacityBytes === undefined ? {} : { capacityBytes });
  stores.push(store);
  return store;
}

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  cleanupTempDirs();
});

describe('group commit', () => {
  it('a writer given overlapping writes of one index keeps the last one asked for', async () => {
    const store = await freshStore();
    const video = makeVideo('rewrite', 3, 300 * 1024);
    const writer = store.beginVideo('rewrite', { replace: false });
    // A large first version and a small last one: the small one finishes first, yet must not lose.
    const stale = payload('stale', 1, 2 * 1024 * 1024);
    const writes = [
      writer.writeInit(video.init),
      writer.writeChunk(0, video.chunks[0]!),
      writer.writeChunk(1, stale),
      writer.writeChunk(1, video.chunks[1]!),
      writer.writeChunk(2, video.chunks[2]!),
    ];
    await Promise.all(writes);
    await writer.commit(video.manifest);
    expect(sha256((await store.getChunk('rewrite', 1, { verify: true }))!)).toBe(sha256(video.chunks[1]!));
    // The stale version's file is not kept: nothing references it.
    await store.whenIdle();
    expect(readdirSync(path.join(store.dir, 'blobs', sha256(stale).slice(0, 2)))).not.toContain(
      sha256(stale),
    );
  });

  it('concurrent puts over capacity keep the byte count exact and never evict what was just put', async () => {
    const size = 64 * 1024;
    const store = await freshStore(3 * size);
    const video = makeVideo('burst', 8, size);
    store.putManifest(video.manifest);
    const order: number[] = [];
    store.on('chunk-added', ({ index }) => order.push(index));
    await Promise.all(video.chunks.map((bytes, index) => store.putChunk('burst', index, bytes)));
    await store.whenIdle();

    const held = store.heldChunks('burst').map((key) => key.index);
    expect(held).toHaveLength(3);
    // Each put made room for itself, so the last three indexed are the ones left.
    expect([...held].sort()).toEqual(order.slice(-3).sort());
    expect(store.stats().bytes).toBe(3 * size);
    for (const index of held) {
      expect(sha256((await store.getChunk('burst', index, { verify: true }))!)).toBe(
        video.manifest.chunks[index]!.sha256,
      );
    }
    const dir = store.dir;
    store.close();
    const reopened = await openStore(dir, { capacityBytes: 3 * size });
    stores.push(reopened);
    expect(reopened.stats().bytes).toBe(3 * size);
    expect((await reopened.verifyAll()).problems).toEqual([]);
  });

  it('a put whose video was replaced while its file was written fails alone; the rest of its group is kept', async () => {
    const store = await freshStore();
    const first = makeVideo('moving', 4, 32 * 1024);
    const other = makeVideo('steady', 4, 32 * 1024);
    store.putManifest(first.manifest);
    store.putManifest(other.manifest);
    const puts = [
      ...first.chunks.map((bytes, index) => store.putChunk('moving', index, bytes)),
      ...other.chunks.map((bytes, index) => store.putChunk('steady', index, bytes)),
    ];
    // Replaced before any of the files is written: every put of the old version must be refused.
    store.putManifest(makeVideo('moving', 4, 40 * 1024).manifest);
    const results = await Promise.allSettled(puts);
    expect(results.slice(0, 4).map((result) => result.status)).toEqual(Array(4).fill('rejected'));
    for (const result of results.slice(0, 4)) {
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'VIDEO_NOT_FOUND' });
    }
    expect(results.slice(4).every((result) => result.status === 'fulfilled')).toBe(true);
    expect(store.heldChunks('moving')).toEqual([]);
    expect(store.heldChunks('steady')).toHaveLength(4);
    expect(store.stats().bytes).toBe(4 * 32 * 1024);
  });
});
