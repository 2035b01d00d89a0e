/** A simulated viewer, and the video its source publishes. */
import type { SimulationOptions } from './simulation-options.js';
import type { SyntheticVideo } from './synthetic-video.js';
import type { VirtualNode, VirtualSwarm } from './virtual-swarm.js';
import { readAheadEnd } from '../shared/read-ahead-policy.js';

export interface Viewing {
  node: VirtualNode;
  requestedAt: number;
  /** When its node first registered with a master: the start-up's placement part. */
  placedAt?: number;
  firstChunkAt?: number;
  stalledMs: number;
  rebuffers: number;
  watchedMs: number;
  finished: boolean;
  stop: AbortController;
}

/**
 * A viewer: fetches the chunks in order through its node, never more than the read-ahead past the
 * play position, and plays each at its time, stalling when one is late. A failed fetch (the node
 * between masters) is asked again half a second later, as the player's feed does.
 */
export async function watch(
  swarm: VirtualSwarm,
  viewing: Viewing,
  video: SyntheticVideo,
  options: SimulationOptions,
): Promise<void> {
  const { clock } = swarm;
  const chunkMs = options.chunkSeconds * 1000;
  // Chunks that start within the read-ahead, counted by the one rule every reader uses.
  const aheadChunks = readAheadEnd(video.manifest.chunks, 0, options.readAheadSeconds);
  const signal = viewing.stop.signal;
  void viewing.node.link?.waitForMaster(Number.MAX_SAFE_INTEGER).then((master) => {
    if (master !== null) viewing.placedAt = clock.now();
  });
  let playStart = 0;
  for (let index = 0; index < video.chunks.length && !signal.aborted; index++) {
    if (viewing.firstChunkAt !== undefined) {
      const mayAskAt = playStart + viewing.stalledMs + (index - aheadChunks) * chunkMs;
      if (mayAskAt > clock.now()) await clock.sleep(mayAskAt - clock.now(), signal);
    }
    for (;;) {
      if (signal.aborted) return;
      try {
        // Due when it plays: the first chunk (and one a stall waits on) at once.
        const dueAt = playStart + viewing.stalledMs + index * chunkMs;
        const dueInMs = viewing.firstChunkAt === undefined ? 0 : Math.max(0, dueAt - clock.now());
        await viewing.node.fetcher.fetch('movie', index, signal, { dueInMs });
        break;
      } catch {
        await clock.sleep(500, signal);
      }
    }
    const now = clock.now();
    if (viewing.firstChunkAt === undefined) {
      viewing.firstChunkAt = now;
      playStart = now;
      continue;
    }
    const dueAt = playStart + viewing.stalledMs + index * chunkMs;
    if (now > dueAt) {
      viewing.stalledMs += now - dueAt;
      viewing.rebuffers += 1;
    }
    viewing.watchedMs = index * chunkMs;
  }
  if (signal.aborted || viewing.firstChunkAt === undefined) return;
  viewing.watchedMs = video.chunks.length * chunkMs;
  viewing.finished = true;
}

export async function publish(node: VirtualNode, video: SyntheticVideo): Promise<void> {
  node.store.putManifest(video.manifest);
  await node.store.putInit(video.manifest.name, video.init);
  for (const [index, chunk] of video.chunks.entries())
    await node.store.putChunk(video.manifest.name, index, chunk);
}
