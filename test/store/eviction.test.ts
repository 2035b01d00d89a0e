import { afterEach, describe, expect, it } from 'vitest';
import type { ChunkStore } from '../../core/store/chunk-store.js';
import { expectCode, ingest, makeVideo, openStore, recordEvents } from './helpers.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

const stores: ChunkStore[] = [];
async function freshStore(capacityBytes?: number): Promise<ChunkStore> {
  const store = await openStore(tempDir(), capacityBytes === undefined ? {} : { capacityBytes });
  stores.push(store);
  return store;
}

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  cleanupTempDirs();
});

function held(store: ChunkStore, video: string): number[] {
  return store.heldChunks(video).map((key) => key.index);
}

/** A cached (unpinned) video of `count` chunks of 100 bytes, no chunk held yet. */
function cachedVideo(store: ChunkStore, name: string, count: number) {
  const video = makeVideo(name, count, 100);
  store.putManifest(video.manifest);
  return video;
}

describe('capacity and least-recently-used eviction', () => {
  it('evicts the least recently used chunk, where reads count as use', async () => {
    const store = await freshStore(300);
    const events = recordEvents(store);
    const video = cachedVideo(store, 'v', 6);
    for (const n of [0, 1, 2]) await store.putChunk('v', n, video.chunks[n]!);
    await store.getChunk('v', 0); // 1 is now the oldest
    await store.putChunk('v', 3, video.chunks[3]!);
    expect(held(store, 'v')).toEqual([0, 2, 3]);
    expect(events.at(-1)).toBe('removed v/1');
    await store.putChunk('v', 4, video.chunks[4]!);
    expect(held(store, 'v')).toEqual([0, 3, 4]);
    expect(store.stats().bytes).toBe(300);
  });

  it('keeps LRU order across a reopen', async () => {
    const dir = tempDir();
    const first = await openStore(dir, { capacityBytes: 300 });
    const video = cachedVideo(first, 'v', 5);
    for (const n of [0, 1, 2]) await first.putChunk('v', n, video.chunks[n]!);
    await first.getChunk('v', 0);
    first.close();
    const store = await openStore(dir, { capacityBytes: 300 });
    stores.push(store);
    await store.putChunk('v', 3, video.chunks[3]!);
    expect(held(store, 'v')).toEqual([0, 2, 3]);
  });

  it('never evicts pinned videos or pinned chunks, and lets a put through when all else is pinned', async () => {
    const store = await freshStore(10_000);
    await ingest(store, makeVideo('source', 3, 100)); // pinned: 400 bytes with init
    const video = cachedVideo(store, 'cache', 5);
    store.pinChunk('cache', 1); // pinned before it arrives
    store.pinChunk('cache', 1); // twice: two streams
    for (const n of [0, 1, 2]) await store.putChunk('cache', n, video.chunks[n]!);
    await store.setCapacity(500);
    // 400 pinned + chunk 1 pinned = 500; chunks 0 and 2 go.
    expect(held(store, 'cache')).toEqual([1]);
    expect(held(store, 'source')).toEqual([-1, 0, 1, 2]);

    // Everything else pinned: the new chunk is kept even though the store goes over capacity.
    await store.putChunk('cache', 3, video.chunks[3]!);
    expect(held(store, 'cache')).toEqual([1, 3]);
    expect(store.stats().bytes).toBe(600);
    // The next put evicts the unpinned chunk 3, not the pinned 1.
    await store.putChunk('cache', 4, video.chunks[4]!);
    expect(held(store, 'cache')).toEqual([1, 4]);

    store.unpinChunk('cache', 1);
    await store.putChunk('cache', 0, video.chunks[0]!);
    expect(held(store, 'cache')).toEqual([0, 1]); // still one pin left on 1, so 4 went
    store.unpinChunk('cache', 1);
    store.unpinChunk('cache', 1); // extra unpin: no-op
    // No pins left: both older chunks go to get back to 500.
    await store.putChunk('cache', 2, video.chunks[2]!);
    expect(held(store, 'cache')).toEqual([2]);
    expect(store.stats()).toMatchObject({ bytes: 500, capacityBytes: 500 });
  });

  it('shrinks back to capacity as soon as the last pin of a chunk held over it goes, with no put to wait for', async () => {
    const store = await freshStore(300);
    const events = recordEvents(store);
    const video = cachedVideo(store, 'v', 5);
    // A stream pins what it reads ahead: the store goes over capacity rather than evict them.
    for (const n of [0, 1, 2, 3, 4]) store.pinChunk('v', n);
    for (const n of [0, 1, 2, 3, 4]) await store.putChunk('v', n, video.chunks[n]!);
    expect(store.stats().bytes).toBe(500);
    // The stream ends and lets go of its pins; nothing is put afterwards.
    for (const n of [0, 1, 2, 3]) store.unpinChunk('v', n);
    await store.whenIdle();
    expect(store.stats().bytes).toBeLessThanOrEqual(300);
    expect(held(store, 'v')).toContain(4); // still pinned
    expect(events.filter((event) => event.startsWith('removed'))).toHaveLength(2);
  });

  it('unpinning a whole video makes it evictable, LRU first', async () => {
    const store = await freshStore();
    await ingest(store, makeVideo('source', 3, 100));
    store.pinVideo('source', false);
    expect(store.listVideos()[0]!.pinned).toBe(false);
    await store.setCapacity(250);
    // 400 bytes held: the init segment (oldest), then chunk 0 go; the manifest stays.
    expect(held(store, 'source')).toEqual([1, 2]);
    expect(store.getManifest('source')).toBeDefined();
    await expectCode(() => store.pinVideo('nope', true), 'VIDEO_NOT_FOUND');
  });

  it('clearCache evicts every unpinned chunk and reports the bytes freed', async () => {
    const store = await freshStore();
    const events = recordEvents(store);
    await ingest(store, makeVideo('source', 2, 100));
    const video = cachedVideo(store, 'cache', 3);
    for (const n of [0, 1, 2]) await store.putChunk('cache', n, video.chunks[n]!);
    store.pinChunk('cache', 2);
    expect(await store.clearCache()).toBe(200);
    expect(held(store, 'cache')).toEqual([2]);
    expect(held(store, 'source')).toHaveLength(3);
    expect(events.filter((event) => event.startsWith('removed')).sort()).toEqual([
      'removed cache/0',
      'removed cache/1',
    ]);
    expect(store.stats().pinnedChunks).toBe(3);
  });

  it('rejects nonsense capacities', async () => {
    const store = await freshStore();
    await expectCode(store.setCapacity(-1), 'INVALID_ARGUMENT');
    await expectCode(store.setCapacity(1.5), 'INVALID_ARGUMENT');
    await expectCode(openStore(tempDir(), { capacityBytes: 0 }), 'INVALID_ARGUMENT');
    await store.setCapacity(null);
    expect(store.capacityBytes).toBeNull();
  });

  it('evicts at open when the store is over a smaller capacity', async () => {
    const dir = tempDir();
    const first = await openStore(dir);
    const video = cachedVideo(first, 'v', 4);
    for (const n of [0, 1, 2, 3]) await first.putChunk('v', n, video.chunks[n]!);
    first.close();
    const store = await openStore(dir, { capacityBytes: 200 });
    stores.push(store);
    expect(held(store, 'v')).toEqual([2, 3]);
  });
});
