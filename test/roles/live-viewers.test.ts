/**
 * A live stream's viewer count across a tree of whole virtual nodes (issue 12 §3): source <- mid <-
 * {left, right}. The source goes live and announces each chunk; play clients watch through left and
 * right. Counts go up with the heartbeats (`liveViewers`), the source sums them and sends its total
 * down with each `announce-live` (`viewers`), and every node then knows it. A node counts once
 * however many play clients it serves, a relaying master not at all, and a viewer that stops drops
 * out of the count within seconds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MemoryHost } from '../../core/net/memory-host.js';
import type { LiveManifest } from '../../core/shared/manifest.js';
import { VirtualSwarm, type VirtualNode } from '../../core/sim/virtual-swarm.js';
import { goLiveVirtual } from '../helpers/virtual-live.js';

const STREAM = 'morning show';
const CHUNK_SECONDS = 1;

let stopAll: Array<() => void> = [];
afterEach(() => {
  for (const stop of stopAll) stop();
  stopAll = [];
});

/** The source goes live (a chunk a second); stopped after the test. */
async function goLive(swarm: VirtualSwarm, source: VirtualNode): Promise<() => LiveManifest> {
  const stream = await goLiveVirtual(swarm, source, STREAM, CHUNK_SECONDS);
  stopAll.push(() => stream.stop());
  return () => stream.manifest();
}

/**
 * A play client on its own host watching the stream through `node` at the live edge, as
 * `peerstreamer play` does (`get` with a streamId): how many chunks it got so far, and its stop.
 */
function watch(swarm: VirtualSwarm, client: MemoryHost, node: VirtualNode, newest: () => LiveManifest) {
  let stopped = false;
  let received = 0;
  const streamId = `${client.address}->${node.name}`;
  void (async () => {
    let next = newest().chunks.length - 1;
    while (!stopped) {
      try {
        await client.request(
          node.address,
          { type: 'get', video: STREAM, index: next, fetchUpstream: true, streamId, name: 'player' },
          { timeoutMs: 3_000 },
        );
        next += 1;
        received += 1;
      } catch {
        // Not made yet (or on its way): asked again shortly, as a player at the edge does.
        await swarm.clock.sleep(250);
      }
    }
  })();
  const stop = (): void => {
    stopped = true;
  };
  stopAll.push(stop);
  return { stop, received: () => received };
}

const counts = (node: VirtualNode): Record<string, number> => Object.fromEntries(node.liveViewers.subtree());

describe('a live stream’s viewer count, up the tree and back down', () => {
  it('counts each watching node once, sums it at the source, tells every node, and drops a viewer that stops', async () => {
    const swarm = new VirtualSwarm(61, { defaultLink: { latencyMs: 15 } });
    const source = swarm.node('source');
    const mid = swarm.node('mid', { master: 'source' });
    const left = swarm.node('left', { master: 'mid', supermaster: 'source' });
    const right = swarm.node('right', { master: 'mid', supermaster: 'source' });
    await swarm.until(
      'the tree formed',
      () => [left, right].every((node) => node.link!.describe()?.name === 'mid'),
      5_000,
    );
    const newest = await goLive(swarm, source);
    await swarm.clock.advance(2_000);
    // Announced, but nobody watches: every node that heard says 0, none made up.
    expect(source.liveViewers.total(STREAM)).toBe(0);
    expect(right.liveViewers.total(STREAM)).toBe(0);

    // Two play clients on left (one node: one viewer), one on right.
    const onLeft = [
      watch(swarm, swarm.network.host('tcp://10.200.0.1:7000'), left, newest),
      watch(swarm, swarm.network.host('tcp://10.200.0.2:7000'), left, newest),
    ];
    const onRight = watch(swarm, swarm.network.host('tcp://10.200.0.3:7000'), right, newest);
    await swarm.until(
      'the source and a level-2 node count 2 viewers',
      () => source.liveViewers.total(STREAM) === 2 && right.liveViewers.total(STREAM) === 2,
      10_000,
    );
    expect(left.liveViewers.total(STREAM)).toBe(2);
    expect(mid.liveViewers.total(STREAM)).toBe(2);
    // mid relays every chunk both fetch, and is no viewer for it.
    expect(counts(mid)).toEqual({ [STREAM]: 2 });
    expect(counts(left)).toEqual({ [STREAM]: 1 });
    // It stays so while they watch: no flicker between chunks.
    for (let second = 0; second < 8; second++) {
      await swarm.clock.advance(1_000);
      expect(source.liveViewers.total(STREAM), `second ${second}`).toBe(2);
      expect(right.liveViewers.total(STREAM), `second ${second}`).toBe(2);
    }
    // Each play client followed the stream chunk by chunk meanwhile.
    for (const client of [...onLeft, onRight]) expect(client.received()).toBeGreaterThanOrEqual(8);

    for (const client of onLeft) client.stop();
    const dropped = await swarm.until(
      'the count down to 1 at the source and on right',
      () => source.liveViewers.total(STREAM) === 1 && right.liveViewers.total(STREAM) === 1,
      15_000,
    );
    // The viewing window (5 s), a heartbeat per level and an announcement.
    expect(dropped).toBeLessThan(9_000);
    expect(counts(left)).toEqual({});
    expect(counts(mid)).toEqual({ [STREAM]: 1 });
  }, 60_000);

  it('a level-2 viewer that dies leaves the count once its master drops it', async () => {
    const swarm = new VirtualSwarm(62, { defaultLink: { latencyMs: 15 } });
    const source = swarm.node('source');
    swarm.node('mid', { master: 'source' });
    const left = swarm.node('left', { master: 'mid', supermaster: 'source' });
    const right = swarm.node('right', { master: 'mid', supermaster: 'source' });
    await swarm.until(
      'the tree formed',
      () => [left, right].every((node) => node.link!.describe()?.name === 'mid'),
      5_000,
    );
    const newest = await goLive(swarm, source);
    watch(swarm, swarm.network.host('tcp://10.200.0.1:7000'), left, newest);
    watch(swarm, swarm.network.host('tcp://10.200.0.3:7000'), right, newest);
    await swarm.until('2 viewers at the source', () => source.liveViewers.total(STREAM) === 2, 10_000);
    left.kill();
    await swarm.until('1 viewer at the source', () => source.liveViewers.total(STREAM) === 1, 10_000);
    await swarm.until('1 viewer on right', () => right.liveViewers.total(STREAM) === 1, 3_000);
  }, 60_000);

  it('counts come only from a registered child, for itself: a stranger speaking for one, or for nobody, is refused', async () => {
    const swarm = new VirtualSwarm(63, { defaultLink: { latencyMs: 15 } });
    const source = swarm.node('source');
    const mid = swarm.node('mid', { master: 'source' });
    await swarm.until('mid registered', () => mid.link!.describe()?.name === 'source', 5_000);
    const newest = await goLive(swarm, source);
    watch(swarm, swarm.network.host('tcp://10.200.0.1:7000'), mid, newest);
    await swarm.until('1 viewer at the source', () => source.liveViewers.total(STREAM) === 1, 10_000);

    const stranger = swarm.network.host('tcp://10.200.0.9:7000');
    const ping = (fields: { name?: string }) =>
      swarm.settle(
        stranger
          .request(
            source.address,
            { type: 'ping', ...fields, liveViewers: { [STREAM]: 500 } },
            { timeoutMs: 1_000 },
          )
          .then(
            () => 'answered',
            (error: Error) => error.message,
          ),
        2_000,
      );
    // Under mid's name but not mid's key: not a heartbeat of mid's, and nothing it says counts.
    expect(await ping({ name: 'mid' })).toContain(
      'refused ping with NOT_REGISTERED: "mid" is not registered here',
    );
    expect(await ping({})).toContain(
      'refused ping with INVALID_ARGUMENT: a ping with liveViewers must name its sender',
    );
    await swarm.clock.advance(2_000);
    expect(source.liveViewers.total(STREAM)).toBe(1);
  }, 60_000);
});
