/**
 * A live stream's manifest changes a chunk a second: the store keeps it in place as it grows (pinned
 * or not, its chunks kept), lets go of the chunks the DVR window drops, finds chunks by index in a
 * list that starts above 0, and survives a reopen. Anything that is not such growth (another stream
 * under the name, another init segment, a chunk that changed) is still an ordinary other manifest.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveManifest } from '../../core/shared/manifest.js';
import { LiveManifestBuilder, newLiveStreamId } from '../../core/trust/live-manifest-builder.js';
import { publisherKeyPairFromSeed } from '../../core/trust/publisher-key.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';
import { expectCode, ingest, makeVideo, openStore, payload, sha256 } from './helpers.js';
import { exportVideo } from '../../core/library/export.js';
import { collectingSink } from '../helpers/swarm.js';

afterEach(cleanupTempDirs);

const KEY = publisherKeyPairFromSeed(new Uint8Array(32).fill(7));
const OTHER_KEY = publisherKeyPairFromSeed(new Uint8Array(32).fill(8));
const CAPTURED = Date.UTC(2026, 11, 3, 3, 0, 0);
const INIT = payload('live-init', -1, 300);

function chunkBytes(index: number): Buffer {
  return payload('live', index, 1000 + index);
}

function builder(window: number, options: { key?: typeof KEY; init?: Buffer; stream?: string } = {}) {
  const init = options.init ?? INIT;
  return new LiveManifestBuilder(
    {
      name: 'cam',
      mimeType: 'video/mp4; codecs="avc1.64001f"',
      width: 640,
      height: 360,
      init: { size: init.length, sha256: sha256(init) },
      ingest: { mode: 'transcode', sourceCodecs: ['avc1'] },
      stream: options.stream ?? newLiveStreamId(),
      window,
    },
    options.key ?? KEY,
  );
}

function append(live: LiveManifestBuilder, index: number, bytes = chunkBytes(index)): LiveManifest {
  live.append({
    start: index,
    duration: 1,
    size: bytes.length,
    sha256: sha256(bytes),
    captureTime: CAPTURED + index * 1000,
  });
  return live.manifest();
}

/** What a source does per chunk: the manifest that names it, then the chunk (and the init once). */
async function storeNext(
  store: Awaited<ReturnType<typeof openStore>>,
  live: LiveManifestBuilder,
  index: number,
) {
  const manifest = append(live, index);
  store.putManifest(manifest);
  if (index === 0) {
    await store.putInit('cam', INIT);
    store.pinVideo('cam', true);
  }
  await store.putChunk('cam', index, chunkBytes(index));
  return manifest;
}

describe('a live stream in the store', () => {
  it('grows in place, pinned, keeping every chunk stored so far', async () => {
    const store = await openStore(tempDir());
    try {
      const live = builder(0);
      for (let index = 0; index < 5; index++) await storeNext(store, live, index);
      expect(store.heldChunks('cam').map((key) => key.index)).toEqual([-1, 0, 1, 2, 3, 4]);
      expect(store.getManifest('cam')).toEqual(live.manifest());
      expect(store.listVideos()[0]).toMatchObject({ name: 'cam', pinned: true, chunksHeld: 5 });
      // Ended: the same chunks, the header signed again; nothing is dropped.
      live.end('ended');
      store.putManifest(live.manifest());
      expect((store.getManifest('cam') as LiveManifest).live.state).toBe('ended');
      expect(store.heldChunks('cam')).toHaveLength(6);
    } finally {
      store.close();
    }
  });

  it('lets go of the chunks its window drops, and finds the rest by index in a list starting above 0', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    const live = builder(3);
    try {
      for (let index = 0; index < 8; index++) await storeNext(store, live, index);
      await store.whenIdle();
      const manifest = store.getManifest('cam')!;
      expect(manifest.chunks.map((chunk) => chunk.index)).toEqual([5, 6, 7]);
      expect(store.heldChunks('cam').map((key) => key.index)).toEqual([-1, 5, 6, 7]);
      expect(await store.getChunk('cam', 6, { verify: true })).toEqual(chunkBytes(6));
      expect(await store.getChunk('cam', 2)).toBeUndefined();
      expect(store.stats().bytes).toBe(
        INIT.length + [5, 6, 7].reduce((sum, i) => sum + chunkBytes(i).length, 0),
      );
      // A dropped chunk, or one past the end, is outside the stream as it stands.
      await expectCode(store.putChunk('cam', 2, chunkBytes(2)), 'INVALID_ARGUMENT');
      await expectCode(store.putChunk('cam', 8, chunkBytes(8)), 'INVALID_ARGUMENT');
      // A chunk named before it is stored (the source's order) is taken once it comes.
      store.putManifest(append(live, 8));
      expect(store.hasChunk('cam', 8)).toBe(false);
      await store.putChunk('cam', 8, chunkBytes(8));
      expect(store.hasChunk('cam', 8)).toBe(true);
      expect((await store.verifyAll()).problems).toEqual([]);
    } finally {
      store.close();
    }
    // Reopened (reconcile): the windowed stream is as it was.
    const again = await openStore(dir);
    try {
      expect(again.reconcileReport).toMatchObject({ droppedRows: 0, orphanBlobs: 0 });
      expect(again.heldChunks('cam').map((key) => key.index)).toEqual([-1, 6, 7, 8]);
      expect(await again.getChunk('cam', 8, { verify: true })).toEqual(chunkBytes(8));
    } finally {
      again.close();
    }
  });

  it('takes the next manifest and its chunk together, or neither', async () => {
    const dir = tempDir();
    const store = await openStore(dir, { capacityBytes: 1_000_000 });
    const live = builder(3);
    try {
      await storeNext(store, live, 0);
      for (let index = 1; index < 6; index++) {
        await store.putLiveChunk(append(live, index), index, chunkBytes(index));
        expect(store.getManifest('cam')).toEqual(live.manifest());
        expect(store.hasChunk('cam', index)).toBe(true);
      }
      await store.whenIdle();
      expect(store.heldChunks('cam').map((key) => key.index)).toEqual([-1, 3, 4, 5]);
      expect(store.stats().bytes).toBe(
        INIT.length + [3, 4, 5].reduce((sum, i) => sum + chunkBytes(i).length, 0),
      );
      const before = store.getManifest('cam');
      // Bytes that are not the chunk the new manifest names: neither is stored.
      await expectCode(store.putLiveChunk(append(live, 6), 6, chunkBytes(99)), 'INVALID_CHECKSUM');
      expect(store.getManifest('cam')).toEqual(before);
      expect(store.hasChunk('cam', 6)).toBe(false);
      // A manifest that does not grow the stored one (another stream): nothing is stored.
      const other = builder(3);
      await expectCode(store.putLiveChunk(append(other, 0), 0, chunkBytes(0)), 'VIDEO_EXISTS');
      expect(store.getManifest('cam')).toEqual(before);
      // The one refused above, sent again with its own bytes, goes in.
      await store.putLiveChunk(live.manifest(), 6, chunkBytes(6));
      expect(store.getManifest('cam')).toEqual(live.manifest());
      expect((await store.verifyAll()).problems).toEqual([]);
    } finally {
      store.close();
    }
    const again = await openStore(dir);
    try {
      expect(again.reconcileReport).toMatchObject({ droppedRows: 0, orphanBlobs: 0 });
      expect(again.heldChunks('cam').map((key) => key.index)).toEqual([-1, 4, 5, 6]);
    } finally {
      again.close();
    }
  });

  it('exports from the oldest chunk its window keeps', async () => {
    const store = await openStore(tempDir());
    const live = builder(2);
    try {
      await storeNext(store, live, 0);
      for (let index = 1; index < 6; index++)
        await store.putLiveChunk(append(live, index), index, chunkBytes(index));
      const kept = store.getManifest('cam')!.chunks.map((chunk) => chunk.index);
      expect(kept).toEqual([4, 5]);
      const whole = collectingSink();
      expect(await exportVideo(store, 'cam', whole.out)).toMatchObject({ chunks: 2 });
      expect(whole.bytes()).toEqual(Buffer.concat([INIT, chunkBytes(4), chunkBytes(5)]));
      const tail = collectingSink();
      expect(await exportVideo(store, 'cam', tail.out, { fromChunk: 5 })).toMatchObject({ chunks: 1 });
      expect(tail.bytes()).toEqual(Buffer.concat([INIT, chunkBytes(5)]));
      const past = await expectCode(
        exportVideo(store, 'cam', collectingSink().out, { fromChunk: 6 }),
        'INVALID_ARGUMENT',
      );
      expect(past.message).toContain('it has chunks 4 to 5');
    } finally {
      store.close();
    }
  });

  it('treats what is not growth as another manifest: refused over a pinned stream', async () => {
    const store = await openStore(tempDir());
    try {
      const live = builder(0);
      for (let index = 0; index < 3; index++) await storeNext(store, live, index);
      // Another stream id under the name.
      const other = builder(0);
      append(other, 0);
      await expectCode(() => store.putManifest(other.manifest()), 'VIDEO_EXISTS');
      // The same stream id, signed by another key.
      const forged = builder(0, { key: OTHER_KEY, stream: live.manifest().live.stream });
      for (let index = 0; index < 4; index++) append(forged, index);
      await expectCode(() => store.putManifest(forged.manifest()), 'VIDEO_EXISTS');
      // The same stream with chunk 1 changed.
      const changed = builder(0, { stream: live.manifest().live.stream });
      for (let index = 0; index < 4; index++)
        append(changed, index, index === 1 ? chunkBytes(99) : chunkBytes(index));
      await expectCode(() => store.putManifest(changed.manifest()), 'VIDEO_EXISTS');
      // An older list of the stream (shorter at its end) is not growth either.
      const older = builder(0, { stream: live.manifest().live.stream });
      append(older, 0);
      await expectCode(() => store.putManifest(older.manifest()), 'VIDEO_EXISTS');
      expect(store.getManifest('cam')).toEqual(live.manifest());
      expect(store.heldChunks('cam')).toHaveLength(4);
    } finally {
      store.close();
    }
  });

  it('leaves on-demand videos as they were: a changed one still replaces an unpinned video whole', async () => {
    const store = await openStore(tempDir());
    try {
      const first = makeVideo('v', 3);
      await ingest(store, first, false);
      const second = makeVideo('v', 4, 1000, (index) => payload('other', index, 1000));
      store.putManifest(second.manifest);
      expect(store.heldChunks('v')).toEqual([]);
      await store.putChunk('v', 3, second.chunks[3]!);
      expect(store.heldChunks('v').map((key) => key.index)).toEqual([3]);
    } finally {
      store.close();
    }
  });
});
