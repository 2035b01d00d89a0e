/**
 * A live stream whose DVR window has slid: its manifest lists chunks whose indexes start above 0
 * (40..59 by default), so a chunk's index is not its place in the list. Built by the real
 * LiveManifestBuilder, signed, 1 s a chunk on the stream's timeline (chunk i starts at i s).
 */
import { LiveManifestBuilder, newLiveStreamId } from '../../core/trust/live-manifest-builder.js';
import { publisherKeyPairFromSeed } from '../../core/trust/publisher-key.js';
import type { LiveManifest } from '../../core/shared/manifest.js';
import type { ChunkStore } from '../../core/store/chunk-store.js';
import { payload, sha256 } from '../store/helpers.js';

export interface WindowedLive {
  manifest: LiveManifest;
  init: Buffer;
  chunkBytes(index: number): Buffer;
}

/** `count` chunks listed from index `first` on: a `count` s window after `first + count` s of stream. */
export function windowedLive(name = 'cam', first = 40, count = 20): WindowedLive {
  const init = payload(`${name}/init`, -1, 300);
  const chunkBytes = (index: number): Buffer => payload(name, index, 1000 + index);
  const builder = new LiveManifestBuilder(
    {
      name,
      mimeType: 'video/mp4; codecs="avc1.64001f"',
      width: 640,
      height: 360,
      init: { size: init.length, sha256: sha256(init) },
      ingest: { mode: 'remux', sourceCodecs: ['h264'] },
      stream: newLiveStreamId(),
      window: count,
    },
    publisherKeyPairFromSeed(new Uint8Array(32).fill(5)),
  );
  for (let index = 0; index < first + count; index++) {
    const bytes = chunkBytes(index);
    builder.append({
      start: index,
      duration: 1,
      size: bytes.length,
      sha256: sha256(bytes),
      captureTime: Date.UTC(2026, 11, 3) + index * 1000,
    });
  }
  const manifest = builder.manifest();
  if (manifest.chunks[0]?.index !== first || manifest.chunks.length !== count) {
    throw new Error(
      `the window lists ${manifest.chunks[0]?.index}+${manifest.chunks.length}, not ${first}+${count}`,
    );
  }
  return { manifest, init, chunkBytes };
}

/** Puts the stream as its source holds it into `store`: manifest, init segment and listed chunks, pinned. */
export async function storeWindowedLive(store: ChunkStore, live: WindowedLive): Promise<void> {
  store.putManifest(live.manifest);
  await store.putInit(live.manifest.name, live.init);
  for (const { index } of live.manifest.chunks)
    await store.putChunk(live.manifest.name, index, live.chunkBytes(index));
  store.pinVideo(live.manifest.name, true);
}
