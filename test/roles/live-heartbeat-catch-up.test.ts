/**
 * A child that no announcement reaches (behind a NAT its master cannot dial, or announcements lost on
 * the way) still follows a live stream: its master's heartbeat and report replies say where each of
 * its live streams stands (`liveStreams`), and a child whose copy is behind fetches the manifest.
 * Whole virtual nodes over the in-memory network, on virtual time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualSwarm } from '../../core/sim/virtual-swarm.js';
import { goLiveVirtual, type VirtualLiveStream } from '../helpers/virtual-live.js';

const STREAM = 'all hands';
let stream: VirtualLiveStream | undefined;
afterEach(() => stream?.stop());

describe('a live stream followed through heartbeats when announcements do not arrive', () => {
  it('keeps a deaf child within a heartbeat of the source, and tells it the end', async () => {
    const swarm = new VirtualSwarm(7, { defaultLink: { latencyMs: 20 } });
    const source = swarm.node('source');
    const deaf = swarm.node('deaf', { master: 'source', heartbeatMs: 1_000 });
    await swarm.until('registered', () => deaf.link!.describe()?.name === 'source', 5_000);
    // Its master's announcements never reach it (answered, and dropped).
    deaf.host.handle('announce-live', () => ({ reply: {} }));
    stream = await goLiveVirtual(swarm, source, STREAM);
    await swarm.clock.advance(3_000);
    // It holds a copy once its player asks for the stream (the clock runs while it asks).
    const asked = deaf.fetcher.manifest(STREAM);
    await swarm.clock.advance(500);
    await asked;
    const first = deaf.store.getManifest(STREAM)!.chunks.length;

    for (let second = 0; second < 10; second++) await swarm.clock.advance(1_000);
    const atSource = stream.manifest().chunks.at(-1)!.index;
    const held = deaf.store.getManifest(STREAM)!.chunks.at(-1)!.index;
    expect(held).toBeGreaterThan(first + 5);
    // Within a heartbeat (and a round trip) of the source.
    expect(atSource - held).toBeLessThanOrEqual(2);

    stream.end();
    await swarm.until(
      'the end to reach it',
      () => {
        const manifest = deaf.store.getManifest(STREAM);
        return manifest !== undefined && 'live' in manifest && manifest.live?.state === 'ended';
      },
      5_000,
    );
    expect(deaf.store.getManifest(STREAM)!.chunks.length).toBe(stream.manifest().chunks.length);
  });

  it('asks for nothing more while announcements keep its copy current', async () => {
    const swarm = new VirtualSwarm(8, { defaultLink: { latencyMs: 20 } });
    const source = swarm.node('source');
    const child = swarm.node('child', { master: 'source', heartbeatMs: 1_000 });
    await swarm.until('registered', () => child.link!.describe()?.name === 'source', 5_000);
    stream = await goLiveVirtual(swarm, source, STREAM);
    await swarm.clock.advance(2_000);
    const asked = child.fetcher.manifest(STREAM);
    await swarm.clock.advance(500);
    await asked;
    let manifestAsks = 0;
    const ask = source.fetcher.manifest.bind(source.fetcher);
    source.fetcher.manifest = (video) => {
      manifestAsks += 1;
      return ask(video);
    };
    for (let second = 0; second < 10; second++) await swarm.clock.advance(1_000);
    expect(child.store.getManifest(STREAM)!.chunks.length).toBeGreaterThanOrEqual(
      stream.manifest().chunks.length - 1,
    );
    expect(manifestAsks).toBe(0);
  });
});
