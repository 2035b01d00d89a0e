/**
 * Counters that agree with what happened, with real node processes: `streamsActive` returns to 0
 * once plays are over (finished, or killed mid-stream), and the RTT in the peer table is a measured
 * round trip that is small on loopback and rises while the master is stopped (SIGSTOP).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, Swarm, assertBuilt, runCli, statsOf, type NodeProcess } from '../helpers/swarm.js';
import { sourceStore, type SourceStore } from '../helpers/source-store.js';
import { PeerClient } from '../../core/net/client.js';
import type { NodeStats } from '../../core/shared/api-types.js';
import { lacks, requires } from '../helpers/requirements.js';
import { waitFor } from '../helpers/wait.js';

const noFfmpeg = lacks(requires.ffmpeg);
const noSignals = lacks(requires.posixSignals);

let swarm: Swarm;
const fixtures = new Swarm();
let source: SourceStore;
const client = new PeerClient({ timeoutMs: 5_000 });

beforeAll(async () => {
  assertBuilt();
  source = await sourceStore(fixtures);
});
afterAll(async () => {
  await client.close();
  await fixtures.stop();
});
afterEach(() => swarm?.stop());

/** Asked in-process: a poll costs a round trip, not a CLI start-up. */
async function stats(node: NodeProcess): Promise<NodeStats> {
  return (await client.request(node.address, { type: 'stats' })).reply.stats as unknown as NodeStats;
}

describe.skipIf(noFfmpeg)('streamsActive', () => {
  it('returns to 0 after plays end, including one killed with SIGKILL mid-stream', async () => {
    swarm = new Swarm();
    const src = await swarm.start({ name: 'source', store: source.store });
    const mit = await swarm.start({ name: 'mit', master: src });
    // Throttled, so a play through it is still going when the test kills it.
    const slow = await swarm.start({ name: 'slow', master: src, extra: ['--upload-limit', '64KiB'] });

    for (let i = 0; i < 3; i++) {
      const out = path.join(swarm.dir('play'), `movie-${i}.mp4`);
      const played = await runCli(['play', '--from', mit.address, 'movie', '-o', out]);
      expect(played.code, played.stderr).toBe(0);
    }
    // The node ends a stream as it hands out its last chunk, before the play even exits.
    expect((await statsOf(mit)).streamsActive).toBe(0);

    const out = path.join(swarm.dir('play'), 'killed.mp4');
    const play = spawn(process.execPath, [CLI, 'play', '--from', slow.address, 'movie', '-o', out], {
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => play.once('exit', resolve));
    try {
      await waitFor(async () => {
        const now = await stats(slow);
        return now.streamsActive === 1 && now.bytesServed > 0;
      }, 'the play under way');
      play.kill('SIGKILL');
      await exited;
      await waitFor(
        async () => (await stats(slow)).streamsActive === 0,
        'the killed play’s stream ended',
        20_000,
      );
    } finally {
      play.kill('SIGKILL');
    }
    expect((await stats(src)).streamsActive).toBe(0);
  });
});

describe.skipIf(noFfmpeg)('the RTT in the peer table', () => {
  it('is a measured round trip: small on loopback, moving, and rising while the master is stopped', async ({
    skip,
  }) => {
    skip(noSignals);
    swarm = new Swarm();
    const src = await swarm.start({ name: 'source', store: source.store });
    const ben = await swarm.start({ name: 'ben', master: src });
    const rttToMaster = async (): Promise<number | null> =>
      (await stats(ben)).peers.find((peer) => peer.relation === 'master' && peer.address === src.address)
        ?.rttMs ?? null;

    const seen = new Set<number>();
    await waitFor(
      async () => {
        const rtt = await rttToMaster();
        if (rtt !== null) seen.add(rtt);
        return seen.size >= 3;
      },
      'three different RTT figures (one per heartbeat)',
      15_000,
    );
    const before = (await rttToMaster())!;
    // Loopback: well under the 29-66 ms a chunk's fetch-and-hash time used to show.
    expect(before).toBeLessThan(25);

    // A stopped master answers the heartbeat late; the next sample shows it. A short stop may fall
    // between two heartbeats (one a second), so stop again until one lands in it.
    let risen = false;
    for (let attempt = 0; attempt < 8 && !risen; attempt++) {
      src.child.kill('SIGSTOP');
      await new Promise((resolve) => setTimeout(resolve, 600));
      src.child.kill('SIGCONT');
      try {
        await waitFor(async () => ((await rttToMaster()) ?? 0) > before + 20, 'the RTT to rise', 1_500);
        risen = true;
      } catch {
        // That stop fell between heartbeats.
      }
    }
    expect(risen).toBe(true);
    // A stop shorter than the heartbeat timeout is a slow master, not a failover.
    expect((await stats(ben)).currentMaster).toBe(src.address);
  });
});
