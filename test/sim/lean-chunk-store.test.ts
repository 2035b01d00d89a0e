import { describe, expect, it } from 'vitest';
import { HeldBits } from '../../core/sim/held-bits.js';
import { LeanChunkStore } from '../../core/sim/lean-chunk-store.js';
import { SharedContent } from '../../core/sim/shared-content.js';
import { syntheticVideo } from '../../core/sim/synthetic-video.js';
import { INIT_INDEX } from '../../core/shared/segments.js';
import { seededRandom } from '../../core/util/random.js';

describe('HeldBits', () => {
  it('holds, drops and lists indexes across growth', () => {
    const bits = new HeldBits();
    for (const index of [0, 7, 8, 1000, 13]) bits.add(index);
    expect([...bits.indexes()]).toEqual([0, 7, 8, 13, 1000]);
    expect(bits.has(1000)).toBe(true);
    expect(bits.has(999)).toBe(false);
    expect(bits.has(-1)).toBe(false);
    expect(bits.has(5000)).toBe(false);
    expect(bits.delete(8)).toBe(true);
    expect(bits.delete(8)).toBe(false);
    expect([...bits.indexes()]).toEqual([0, 7, 13, 1000]);
  });
});

describe('LeanChunkStore', () => {
  const video = syntheticVideo('movie', 20, 64, seededRandom(1));
  const content = new SharedContent();
  content.add(video);

  it('keeps the shared manifest and reads held chunks from the shared copy, byte for byte', async () => {
    const store = new LeanChunkStore(content);
    const added: number[] = [];
    store.on('chunk-added', ({ index }) => added.push(index));
    // A manifest that says the same, decoded on arrival: the store keeps the shared one instead.
    store.putManifest(structuredClone(video.manifest));
    expect(store.getManifest('movie')).toBe(video.manifest);
    await store.putInit('movie', video.init);
    await store.putChunk('movie', 3, video.chunks[3]!);
    await store.putChunk('movie', 3, video.chunks[3]!);
    expect(added).toEqual([3]);
    expect(store.hasChunk('movie', 3)).toBe(true);
    expect(store.hasChunk('movie', 4)).toBe(false);
    expect((await store.getChunk('movie', 3))!.equals(video.chunks[3]!)).toBe(true);
    expect(await store.getChunk('movie', 4)).toBeUndefined();
    expect((await store.getInit('movie'))!.equals(video.init)).toBe(true);
    expect(store.heldChunks()).toEqual([{ video: 'movie', index: 3 }]);
  });

  it('keeps its own bytes for a manifest that differs from the shared one', async () => {
    const store = new LeanChunkStore(content);
    const other = structuredClone(video.manifest);
    other.chunks[2]!.sha256 = 'f'.repeat(64);
    store.putManifest(other);
    expect(store.getManifest('movie')).toBe(other);
    const bytes = Buffer.from('not the shared chunk');
    await store.putChunk('movie', 2, bytes);
    expect((await store.getChunk('movie', 2))!.equals(bytes)).toBe(true);
    expect(store.heldChunks('movie')).toEqual([{ video: 'movie', index: 2 }]);
    expect(store.hasChunk('movie', INIT_INDEX)).toBe(false);
  });

  it('drops a chunk as eviction does, and says so once', async () => {
    const store = new LeanChunkStore(content);
    store.putManifest(video.manifest);
    await store.putChunk('movie', 5, video.chunks[5]!);
    const removed: number[] = [];
    store.on('chunk-removed', ({ index }) => removed.push(index));
    store.removeChunk('movie', 5);
    store.removeChunk('movie', 5);
    store.removeChunk('nothing', 1);
    expect(removed).toEqual([5]);
    expect(store.hasChunk('movie', 5)).toBe(false);
    expect(store.heldChunks()).toEqual([]);
  });
});
