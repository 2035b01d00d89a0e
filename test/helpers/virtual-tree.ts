/**
 * A small tree of whole virtual nodes with a synthetic video on its source, and a player that reads
 * it chunk by chunk through a node's fetcher: what the playback and original-scenario tests share.
 */
import { expect } from 'vitest';
import type { ChunkOrigin } from '../../core/shared/api-types.js';
import { syntheticVideo, type SyntheticVideo } from '../../core/sim/synthetic-video.js';
import { VirtualSwarm, type VirtualNode } from '../../core/sim/virtual-swarm.js';

/** One-way latency of every link in these trees, ms. */
export const LATENCY_MS = 15;

/** The name of the master `node` is registered with now, or null between masters. */
export function masterOf(node: VirtualNode): string | null {
  return node.link?.describe()?.name ?? null;
}

/** The names of `node`'s registered children, sorted. */
export function childNames(node: VirtualNode): string[] {
  return node.registry
    .children()
    .map((child) => child.name)
    .sort();
}

export async function publish(node: VirtualNode, video: SyntheticVideo): Promise<void> {
  node.store.putManifest(video.manifest);
  await node.store.putInit(video.manifest.name, video.init);
  for (const [index, chunk] of video.chunks.entries())
    await node.store.putChunk(video.manifest.name, index, chunk);
}

/**
 * source <- mit <- viewers (each falling back on the source), with the video "movie" of `chunks`
 * 32 KiB chunks on the source; resolves once every viewer is registered with mit.
 */
export async function tree(
  seed: number,
  viewers: string[],
  chunks = 10,
): Promise<{ swarm: VirtualSwarm; video: SyntheticVideo }> {
  const swarm = new VirtualSwarm(seed, { defaultLink: { latencyMs: LATENCY_MS } });
  const video = syntheticVideo('movie', chunks, 32 * 1024, swarm.random);
  await publish(swarm.node('source'), video);
  swarm.node('mit', { master: 'source' });
  for (const name of viewers) swarm.node(name, { master: 'mit', supermaster: 'source' });
  await swarm.until(
    'all registered',
    () => viewers.every((name) => swarm.get(name).link!.describe()?.name === 'mit'),
    2_000,
  );
  return { swarm, video };
}

/**
 * Plays chunks [from, to) in order through the viewer's fetcher, checking each against the video;
 * returns where each came from.
 */
export async function play(
  swarm: VirtualSwarm,
  viewer: VirtualNode,
  video: SyntheticVideo,
  from = 0,
  to = video.chunks.length,
): Promise<ChunkOrigin[]> {
  const origins: ChunkOrigin[] = [];
  for (let index = from; index < to; index++) {
    const chunk = await swarm.settle(viewer.fetcher.fetch('movie', index), 20_000);
    expect(chunk.bytes.equals(video.chunks[index]!), `chunk ${index}`).toBe(true);
    origins.push(chunk.origin);
  }
  return origins;
}
