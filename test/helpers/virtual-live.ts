/**
 * A live stream on a virtual source (core/sim's VirtualSwarm): a chunk a second on the swarm's
 * clock, each stored, then announced to the source's children as PeerNode does. For the role tests
 * of live streams over the in-memory network.
 */
import type { LiveManifest } from '../../core/shared/manifest.js';
import { SYNTHETIC_PUBLISHER } from '../../core/sim/synthetic-video.js';
import type { VirtualNode, VirtualSwarm } from '../../core/sim/virtual-swarm.js';
import { LiveManifestBuilder, newLiveStreamId } from '../../core/trust/live-manifest-builder.js';
import type { Timer } from '../../core/util/clock.js';
import { sha256Hex } from '../../core/util/hash.js';

export interface VirtualLiveStream {
  /** The stream's manifest as the source has it now. */
  manifest(): LiveManifest;
  /** Stops making chunks and ends the stream (signed `ended`, stored, announced). */
  end(): void;
  /** Stops making chunks, without a word: a test's cleanup. */
  stop(): void;
}

export async function goLiveVirtual(
  swarm: VirtualSwarm,
  source: VirtualNode,
  name: string,
  chunkSeconds = 1,
): Promise<VirtualLiveStream> {
  const bytes = (seed: string, size: number): Buffer => Buffer.alloc(size, sha256Hex(Buffer.from(seed)));
  const init = bytes('init', 512);
  const live = new LiveManifestBuilder(
    {
      name,
      mimeType: 'video/mp4; codecs="avc1.64001f"',
      width: 320,
      height: 180,
      init: { size: init.byteLength, sha256: sha256Hex(init) },
      ingest: { mode: 'transcode', sourceCodecs: ['rawvideo'] },
      stream: newLiveStreamId(),
      window: 0,
      startedAt: new Date(swarm.clock.now()).toISOString(),
    },
    SYNTHETIC_PUBLISHER,
  );
  await source.store.putInit(name, init);
  let index = 0;
  const addChunk = async (): Promise<void> => {
    const chunk = bytes(`chunk ${index}`, 4_096);
    live.append({
      start: index * chunkSeconds,
      duration: chunkSeconds,
      size: chunk.byteLength,
      sha256: sha256Hex(chunk),
      captureTime: swarm.clock.now(),
    });
    await source.store.putChunk(name, index, chunk);
    source.store.putManifest(live.manifest());
    source.liveRelay.announce(live.manifest());
    index += 1;
  };
  await addChunk();
  const timer: Timer = swarm.clock.every(chunkSeconds * 1000, () => void addChunk());
  return {
    manifest: () => live.manifest(),
    end: () => {
      timer.cancel();
      live.end('ended');
      source.store.putManifest(live.manifest());
      source.liveRelay.announce(live.manifest());
    },
    stop: () => timer.cancel(),
  };
}
