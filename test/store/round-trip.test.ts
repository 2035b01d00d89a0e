import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChunkStore } from '../../core/store/chunk-store.js';
import {
  expectCode,
  ingest,
  makeLegacyVideo,
  makeVideo,
  openStore,
  payload,
  recordEvents,
  sha256,
} from './helpers.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

const stores: ChunkStore[] = [];
async function freshStore(): Promise<ChunkStore> {
  const store = await openStore(tempDir());
  stores.push(store);
  return store;
}

function blobCount(store: ChunkStore): number {
  const blobs = path.join(store.dir, 'blobs');
  return readdirSync(blobs).reduce((sum, sub) => sum + readdirSync(path.join(blobs, sub)).length, 0);
}

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  cleanupTempDirs();
});

describe('ChunkStore whole-video ingest', () => {
  it('returns exactly the bytes written, and the manifest, after a reopen', async () => {
    const dir = tempDir();
    const video = makeVideo('Big Buck Bunny', 5);
    const first = await openStore(dir);
    const events = recordEvents(first);
    await ingest(first, video);
    expect(events).toEqual([
      'added Big Buck Bunny/-1',
      ...[0, 1, 2, 3, 4].map((n) => `added Big Buck Bunny/${n}`),
    ]);
    first.close();
    first.close(); // idempotent

    const store = await openStore(dir);
    stores.push(store);
    expect(store.getManifest('Big Buck Bunny')).toEqual(video.manifest);
    expect(await store.getInit('Big Buck Bunny', { verify: true })).toEqual(video.init);
    for (const [index, bytes] of video.chunks.entries()) {
      expect(store.hasChunk('Big Buck Bunny', index)).toBe(true);
      expect(await store.getChunk('Big Buck Bunny', index, { verify: true })).toEqual(bytes);
    }
    expect(await store.getChunk('Big Buck Bunny', 5)).toBeUndefined();
    expect(store.heldChunks('Big Buck Bunny').map((key) => key.index)).toEqual([-1, 0, 1, 2, 3, 4]);
    const [summary] = store.listVideos();
    expect(summary).toMatchObject({ name: 'Big Buck Bunny', pinned: true, chunksHeld: 5, hasInit: true });
    expect(summary!.bytesHeld).toBe(100 + 5 * 1000);
    expect(store.stats()).toEqual({
      videos: 1,
      chunks: 5,
      bytes: 5100,
      capacityBytes: null,
      pinnedChunks: 5,
    });
    expect(store.reconcileReport).toMatchObject({ droppedRows: 0, orphanBlobs: 0, tempFiles: 0 });
  });

  it('stores identical chunks once and keeps the file until the last reference goes', async () => {
    const store = await freshStore();
    const same = payload('shared', 0, 500);
    const a = makeVideo('a', 3, 500, () => same);
    const b = makeVideo('b', 2, 500, () => same);
    await ingest(store, a);
    await ingest(store, b);
    // a/init, b/init and one shared chunk file.
    expect(blobCount(store)).toBe(3);
    await store.deleteVideo('a');
    await store.whenIdle();
    expect(blobCount(store)).toBe(2);
    expect(await store.getChunk('b', 1, { verify: true })).toEqual(same);
    await store.deleteVideo('b');
    await store.whenIdle();
    expect(blobCount(store)).toBe(0);
    expect(store.listVideos()).toEqual([]);
  });

  it('refuses an existing name up front unless replace, and replace swaps the whole video', async () => {
    const store = await freshStore();
    await ingest(store, makeVideo('v', 3));
    await expectCode(() => store.beginVideo('v', { replace: false }), 'VIDEO_EXISTS');

    const events = recordEvents(store);
    const newer = makeVideo('v', 2, 700, (n) => payload('newer', n, 700));
    await ingest(store, newer, true, true);
    await store.whenIdle();
    expect(store.getManifest('v')).toEqual(newer.manifest);
    expect(store.heldChunks('v').map((key) => key.index)).toEqual([-1, 0, 1]);
    expect(await store.getChunk('v', 1, { verify: true })).toEqual(newer.chunks[1]);
    expect(events.filter((event) => event.startsWith('removed'))).toHaveLength(4);
    // Same init bytes in both versions, so 1 init file + 2 new chunk files.
    expect(blobCount(store)).toBe(3);
  });

  it('abort leaves no video, no rows and no files behind', async () => {
    const store = await freshStore();
    const video = makeVideo('half', 4);
    const writer = store.beginVideo('half', { replace: false });
    await writer.writeInit(video.init);
    await writer.writeChunk(0, video.chunks[0]!);
    await writer.writeChunk(1, video.chunks[1]!);
    await writer.abort();
    await writer.abort();
    expect(store.listVideos()).toEqual([]);
    expect(store.heldChunks()).toEqual([]);
    expect(blobCount(store)).toBe(0);
    expect(readdirSync(path.join(store.dir, 'tmp'))).toEqual([]);
    // The name is free again.
    await ingest(store, video);
    expect(store.heldChunks('half')).toHaveLength(5);
  });

  it('abort does not delete a file another video still uses', async () => {
    const store = await freshStore();
    const video = makeVideo('keep', 2);
    await ingest(store, video);
    const writer = store.beginVideo('other', { replace: false });
    await writer.writeChunk(0, video.chunks[0]!);
    await writer.abort();
    expect(await store.getChunk('keep', 0, { verify: true })).toEqual(video.chunks[0]);
  });

  it('refuses a commit whose manifest does not match what was written, and stays abortable', async () => {
    const store = await freshStore();
    const video = makeVideo('m', 3);
    const writer = store.beginVideo('m', { replace: false });
    await writer.writeInit(video.init);
    for (const [index, bytes] of video.chunks.entries()) await writer.writeChunk(index, bytes);

    const wrongHash = structuredClone(video.manifest);
    wrongHash.chunks[1]!.sha256 = sha256(Buffer.from('something else'));
    const error = await expectCode(() => writer.commit(wrongHash), 'INVALID_CHECKSUM');
    expect((error as Error & { context: unknown }).context).toMatchObject({ video: 'm', index: 1 });

    const wrongSize = structuredClone(video.manifest);
    wrongSize.chunks[2]!.size = 999;
    await expectCode(() => writer.commit(wrongSize), 'INVALID_CHECKSUM');

    const missing = makeVideo('m', 4);
    await expectCode(() => writer.commit(missing.manifest), 'CHUNK_NOT_FOUND');

    const fewer = structuredClone(video.manifest);
    fewer.chunks.pop();
    await expectCode(() => writer.commit(fewer), 'INVALID_ARGUMENT');

    expect(store.getManifest('m')).toBeUndefined();
    await writer.abort();
    expect(blobCount(store)).toBe(0);
  });

  it('ingests legacy videos without an init segment', async () => {
    const store = await freshStore();
    const video = makeLegacyVideo('old', 3);
    await ingest(store, video);
    expect(await store.getInit('old')).toBeUndefined();
    expect(await store.getChunk('old', 2, { verify: true })).toEqual(video.chunks[2]);
    expect(store.listVideos()[0]).toMatchObject({ hasInit: false, chunksHeld: 3 });
  });
});

describe('ChunkStore chunk-by-chunk caching', () => {
  it('records a manifest, then stores verified chunks as they arrive', async () => {
    const store = await freshStore();
    const events = recordEvents(store);
    const video = makeVideo('cached', 4);
    store.putManifest(video.manifest);
    store.putManifest(structuredClone(video.manifest)); // the same again: a no-op
    expect(store.heldChunks('cached')).toEqual([]);
    await store.putChunk('cached', 2, video.chunks[2]!);
    await store.putInit('cached', video.init);
    expect(store.heldChunks()).toEqual([
      { video: 'cached', index: -1 },
      { video: 'cached', index: 2 },
    ]);
    expect(events).toEqual(['added cached/2', 'added cached/-1']);
    expect(await store.getChunk('cached', 2)).toEqual(video.chunks[2]);
    expect(store.listVideos()[0]).toMatchObject({ pinned: false, chunksHeld: 1, hasInit: true });
  });

  it('refuses a chunk whose bytes do not match the manifest and stores nothing', async () => {
    const store = await freshStore();
    const video = makeVideo('x', 2);
    store.putManifest(video.manifest);
    const forged = Buffer.from(video.chunks[0]!);
    forged[10] = forged[10]! ^ 0xff;
    const error = await expectCode(store.putChunk('x', 0, forged), 'INVALID_CHECKSUM');
    expect((error as Error & { context: unknown }).context).toMatchObject({
      video: 'x',
      index: 0,
      expected: video.manifest.chunks[0]!.sha256,
      actual: sha256(forged),
    });
    await expectCode(store.putChunk('x', 1, video.chunks[0]!), 'INVALID_CHECKSUM');
    await expectCode(store.putChunk('x', 5, video.chunks[0]!), 'INVALID_ARGUMENT');
    await expectCode(store.putChunk('unknown', 0, video.chunks[0]!), 'VIDEO_NOT_FOUND');
    expect(store.heldChunks()).toEqual([]);
    expect(blobCount(store)).toBe(0);
  });

  it('never lets peers overwrite a pinned video, but replaces an unpinned one', async () => {
    const store = await freshStore();
    await ingest(store, makeVideo('mine', 2));
    await expectCode(() => store.putManifest(makeVideo('mine', 3).manifest), 'VIDEO_EXISTS');
    expect(store.getManifest('mine')!.chunks).toHaveLength(2);

    const cached = makeVideo('theirs', 2);
    store.putManifest(cached.manifest);
    await store.putChunk('theirs', 0, cached.chunks[0]!);
    const newer = makeVideo('theirs', 3, 600);
    store.putManifest(newer.manifest);
    expect(store.getManifest('theirs')!.chunks).toHaveLength(3);
    expect(store.heldChunks('theirs')).toEqual([]);
  });

  it('hands out frozen manifests so the cache cannot be changed by accident', async () => {
    const store = await freshStore();
    store.putManifest(makeVideo('f', 1).manifest);
    const manifest = store.getManifest('f')!;
    expect(Object.isFrozen(manifest.chunks[0])).toBe(true);
  });

  it('throws a clear error when used after close', async () => {
    const store = await openStore(tempDir());
    store.close();
    const error = await expectCode(() => store.hasChunk('a', 0), 'INVALID_ARGUMENT');
    expect(error.message).toContain('closed');
    expect(existsSync(path.join(store.dir, 'lock'))).toBe(false);
  });
});
