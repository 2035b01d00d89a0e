/**
 * Whole nodes made of the node's roles, in virtual time: a source, a master and viewers, each with
 * its own store, fetcher, stream sessions and serving. The original system's scenarios that are
 * about behaviour (test/e2e/original-scenarios.test.ts runs them over ZeroMQ processes), checked
 * here exactly and in milliseconds.
 */
import { describe, expect, it } from 'vitest';
import type { ChunkOrigin } from '../../core/shared/api-types.js';
import { syntheticVideo, type SyntheticVideo } from '../../core/sim/synthetic-video.js';
import { VirtualSwarm, type VirtualNode } from '../../core/sim/virtual-swarm.js';

const CHUNKS = 10;

async function publish(node: VirtualNode, video: SyntheticVideo): Promise<void> {
  node.store.putManifest(video.manifest);
  await node.store.putInit(video.manifest.name, video.init);
  for (const [index, chunk] of video.chunks.entries())
    await node.store.putChunk(video.manifest.name, index, chunk);
}

/** source <- mit <- viewers (each falling back on the source), with the video on the source. */
async function tree(
  seed: number,
  viewers: string[],
): Promise<{ swarm: VirtualSwarm; video: SyntheticVideo }> {
  const swarm = new VirtualSwarm(seed, { defaultLink: { latencyMs: 15 } });
  const video = syntheticVideo('movie', CHUNKS, 32 * 1024, swarm.random);
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

/** Plays chunks `from`..end in order through the viewer's fetcher; returns what came from where. */
async function play(swarm: VirtualSwarm, viewer: VirtualNode, video: SyntheticVideo, from = 0) {
  const origins: ChunkOrigin[] = [];
  for (let index = from; index < video.chunks.length; index++) {
    const chunk = await swarm.settle(viewer.fetcher.fetch('movie', index), 20_000);
    expect(chunk.bytes.equals(video.chunks[index]!), `chunk ${index}`).toBe(true);
    origins.push(chunk.origin);
  }
  return origins;
}

describe('whole nodes in virtual time', () => {
  it("1. caching: a second viewer gets every chunk from the first viewer's node, none from the master", async () => {
    const { swarm, video } = await tree(51, ['alice', 'bob']);
    const [mit, alice, bob] = ['mit', 'alice', 'bob'].map((name) => swarm.get(name));
    expect(await play(swarm, alice!, video)).toEqual(Array(CHUNKS).fill('master'));
    const servedByMit = mit!.counters.chunksServed;
    // Alice's chunks reach mit's directory with her next report.
    await swarm.clock.advance(300);
    expect(await play(swarm, bob!, video)).toEqual(Array(CHUNKS).fill('peer'));
    expect(mit!.counters.chunksServed).toBe(servedByMit);
    expect(alice!.counters.chunksServed).toBe(CHUNKS);
  });

  it('7. a master that stops answering get mid-stream: the viewer moves to its supermaster and finishes', async () => {
    const { swarm, video } = await tree(52, ['alice']);
    const [mit, alice] = [swarm.get('mit'), swarm.get('alice')];
    expect(await swarm.settle(alice.fetcher.fetch('movie', 0), 5_000)).toMatchObject({ origin: 'master' });
    // Still answering heartbeats and queries, no longer chunks.
    mit.host.handle('get', () => new Promise<never>(() => undefined));
    const started = swarm.clock.now();
    const rest = await play(swarm, alice, video, 1);
    expect(rest).toEqual(Array(CHUNKS - 1).fill('source'));
    expect(alice.link!.describe()).toMatchObject({ name: 'source', onSupermaster: true });
    // One master timeout (3 s) lost on chunk 1, then one register and a get through the supermaster.
    expect(swarm.clock.now() - started).toBeLessThan(3_000 + 1_000);
    expect(alice.counters.failovers).toBeGreaterThanOrEqual(1);
  });

  it('8. a master that stops answering queries: the viewer moves to its supermaster and plays on', async () => {
    const { swarm, video } = await tree(53, ['alice']);
    const [mit, alice] = [swarm.get('mit'), swarm.get('alice')];
    mit.host.handle('query', () => new Promise<never>(() => undefined));
    const origins = await play(swarm, alice, video);
    expect(origins.every((origin) => origin === 'master' || origin === 'source')).toBe(true);
    expect(origins.at(-1)).toBe('source');
    expect(alice.link!.describe()).toMatchObject({ name: 'source', onSupermaster: true });
  });

  it('a master killed mid-stream: the stream completes through the supermaster, and the restarted master gets the viewer back', async () => {
    const { swarm, video } = await tree(54, ['alice']);
    const alice = swarm.get('alice');
    await swarm.settle(alice.fetcher.fetch('movie', 0), 5_000);
    swarm.get('mit').kill();
    expect(await play(swarm, alice, video, 1)).toEqual(Array(CHUNKS - 1).fill('source'));
    swarm.node('mit', { master: 'source' });
    await swarm.until('alice back under mit', () => alice.link!.describe()?.name === 'mit', 5_000);
  });
});
