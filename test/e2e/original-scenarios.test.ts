/**
 * The eight scenarios the original system's shell tests exercised (../shared/seed/BEHAVIOUR.md), each
 * with real node processes, real stores on disk and real ZeroMQ sockets on 127.0.0.1.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { PeerClient } from '../../core/net/client.js';
import {
  SWARM_TIMEOUT_MS,
  Swarm,
  assertBuilt,
  playThrough,
  runCli,
  statsOf,
  type NodeProcess,
} from '../helpers/swarm.js';
import { sourceStore, type SourceStore } from '../helpers/sample-video.js';
import { lacks, requires } from '../helpers/requirements.js';
import { waitFor } from '../helpers/wait.js';

const noSignals = lacks(requires.posixSignals);
const noFfmpeg = lacks(requires.ffmpeg);

let swarm: Swarm;
let client: PeerClient;

beforeAll(() => assertBuilt());
afterEach(async () => {
  await client?.close();
  await swarm?.stop();
});

async function play(through: NodeProcess, video: string): Promise<Buffer> {
  return (await playThrough(through, video)).bytes;
}

/** Streams chunks [from, to) through a node on one stream, as a play client would. */
async function streamRange(node: NodeProcess, video: string, from: number, to: number): Promise<void> {
  const streamId = `range-${from}-${to}-${Math.random()}`;
  for (let index = from; index < to; index++) {
    await client.request(
      node.address,
      { type: 'get', video, index, fetchUpstream: true, streamId },
      { timeoutMs: 10_000 },
    );
  }
}

async function holdersAt(master: NodeProcess, video: string, index: number): Promise<string[]> {
  const { reply } = await client.request(master.address, {
    type: 'query',
    name: 'test',
    video,
    from: index,
    count: 1,
  });
  return reply.holders[0]!.map((holder) => holder.name).sort();
}

describe.skipIf(noFfmpeg)('the original system’s scenarios', { timeout: SWARM_TIMEOUT_MS }, () => {
  let source: SourceStore;
  // Holds the source store and reference export for the whole file; each test gets fresh processes.
  const fixtures = new Swarm();

  beforeAll(async () => {
    source = await sourceStore(fixtures);
  }, SWARM_TIMEOUT_MS);
  afterAll(() => fixtures.stop());

  async function freshSwarm(): Promise<NodeProcess> {
    swarm = new Swarm();
    client = new PeerClient({ timeoutMs: 10_000 });
    return swarm.start({ name: 'source', store: source.store });
  }

  it('1. caching: a second viewer’s node gets chunks from the first viewer’s node, not the master', async () => {
    const master = await freshSwarm();
    const alice = await swarm.start({ name: 'alice', master });
    const bob = await swarm.start({ name: 'bob', master });
    expect(await play(alice, 'movie')).toEqual(source.exported);
    await waitFor(async () => (await holdersAt(master, 'movie', 19)).includes('alice'), 'alice’s report');
    expect(await play(bob, 'movie')).toEqual(source.exported);
    const stats = await statsOf(bob);
    const total = source.exported.length;
    expect(stats.bytesFetched.peer).toBeGreaterThan(total * 0.9);
    expect(stats.bytesFetched.source + stats.bytesFetched.master).toBeLessThan(total * 0.1);
    expect(stats.peers.find((peer) => peer.name === 'alice')?.bytesDown).toBeGreaterThan(0);
    // A third play through bob comes from bob's own store, and play says where each chunk came from.
    const again = await runCli([
      'play',
      '--from',
      bob.address,
      'movie',
      '-o',
      path.join(swarm.dir('again'), 'm.mp4'),
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/chunks from local \d+/);
  });

  it('2. end of file: asking past the last chunk gets an explicit end, not an error of the node or a hang', async () => {
    const master = await freshSwarm();
    const alice = await swarm.start({ name: 'alice', master });
    const count = source.manifest.chunks.length;
    // A hang would end in the client's TIMEOUT; an explicit end is the node's CHUNK_NOT_FOUND reply.
    await expect(
      client.request(alice.address, {
        type: 'get',
        video: 'movie',
        index: count,
        fetchUpstream: true,
        streamId: 'eof',
      }),
    ).rejects.toMatchObject({ code: 'CHUNK_NOT_FOUND', context: { remoteCode: 'CHUNK_NOT_FOUND' } });
    // A whole play ends by itself with exit code 0 once the last chunk is written.
    expect(await play(alice, 'movie')).toEqual(source.exported);
    expect(alice.alive).toBe(true);
  });

  it('3. register includes chunks: a restarted node re-registers with its cache, and others are sent to it', async () => {
    const master = await freshSwarm();
    const alice = await swarm.start({ name: 'alice', master });
    await play(alice, 'movie');
    // Chunks are stored just after they are handed out; wait until the last one is in alice's store.
    await waitFor(async () => (await holdersAt(master, 'movie', 19)).includes('alice'), 'alice’s last chunk');
    await alice.kill('SIGKILL');
    await waitFor(
      async () => (await holdersAt(master, 'movie', 3)).length === 0,
      'alice dropped from the directory',
    );
    await swarm.restart(alice);
    // Right after registering, before it has played anything, the master lists it for what it holds.
    expect(await holdersAt(master, 'movie', 3)).toEqual(['alice']);
    const bob = await swarm.start({ name: 'bob', master });
    expect(await play(bob, 'movie')).toEqual(source.exported);
    expect((await statsOf(bob)).bytesFetched.peer).toBeGreaterThan(source.exported.length * 0.9);
  });

  it('4. requery: a long stream moves between peers as they run out of chunks (alice -> bob -> master)', async () => {
    const master = await freshSwarm();
    const options = { extra: ['--read-ahead', '1', '--fetch-concurrency', '1'] };
    const alice = await swarm.start({ name: 'alice', master, ...options });
    const bob = await swarm.start({ name: 'bob', master, ...options });
    // A loaded machine can keep alice or bob from answering within the default 1.5 s; carol would
    // then (rightly) try the next holder, and this test is about the requery, not about slow peers.
    const carol = await swarm.start({ name: 'carol', master, extra: ['--peer-timeout', '60s'] });
    await streamRange(alice, 'movie', 0, 7);
    await streamRange(bob, 'movie', 8, 14);
    // Each node reports on its own 200 ms clock, so bob's report may well arrive before alice's.
    await waitFor(async () => (await holdersAt(master, 'movie', 6)).includes('alice'), 'alice’s report');
    await waitFor(async () => (await holdersAt(master, 'movie', 13)).includes('bob'), 'bob’s report');
    expect(await play(carol, 'movie')).toEqual(source.exported);
    const stats = await statsOf(carol);
    const fromAlice = stats.peers.find((peer) => peer.name === 'alice')?.bytesDown ?? 0;
    const fromBob = stats.peers.find((peer) => peer.name === 'bob')?.bytesDown ?? 0;
    const chunkBytes = (from: number, to: number): number =>
      source.manifest.chunks.slice(from, to).reduce((sum, chunk) => sum + chunk.size, 0);
    expect(fromAlice, JSON.stringify(stats.peers)).toBeGreaterThanOrEqual(chunkBytes(0, 7));
    expect(fromBob).toBeGreaterThanOrEqual(chunkBytes(8, 14));
    expect(stats.bytesFetched.source).toBeGreaterThanOrEqual(chunkBytes(16, 20));
  });

  it('5. request after crash: a peer the master still lists is dead; the fetch moves on', async () => {
    const master = await freshSwarm();
    const alice = await swarm.start({ name: 'alice', master });
    const bob = await swarm.start({ name: 'bob', master });
    await play(alice, 'movie');
    await waitFor(async () => (await holdersAt(master, 'movie', 19)).includes('alice'), 'alice’s report');
    await alice.kill('SIGKILL');
    expect(await holdersAt(master, 'movie', 0)).toContain('alice');
    expect(await play(bob, 'movie')).toEqual(source.exported);
    const stats = await statsOf(bob);
    expect(stats.peers.find((peer) => peer.name === 'alice')?.failures).toBeGreaterThanOrEqual(1);
    expect(bob.alive).toBe(true);
  });

  it('6. out-of-order requests: chunks 10..6 asked in parallel are answered in order', async () => {
    const master = await freshSwarm();
    const alice = await swarm.start({ name: 'alice', master });
    const streamId = 'out-of-order';
    await client.request(alice.address, {
      type: 'get',
      video: 'movie',
      index: 5,
      fetchUpstream: true,
      streamId,
    });
    const answered: number[] = [];
    await Promise.all(
      [10, 9, 8, 7, 6].map(async (index) => {
        const { reply, body } = await client.request(alice.address, {
          type: 'get',
          video: 'movie',
          index,
          fetchUpstream: true,
          streamId,
        });
        expect(reply.sha256).toBe(source.manifest.chunks[index]!.sha256);
        expect(body.length).toBe(source.manifest.chunks[index]!.size);
        answered.push(index);
      }),
    );
    expect(answered).toEqual([6, 7, 8, 9, 10]);
    // A duplicate of a pending request and a request behind the stream are refused, not hung.
    await expect(
      client.request(alice.address, { type: 'get', video: 'movie', index: 3, fetchUpstream: true, streamId }),
    ).rejects.toMatchObject({ context: { remoteCode: 'INVALID_ARGUMENT' } });
  });

  it('7. timeout on get: a master that stops answering mid-stream; the node moves to its supermaster', async ({
    skip,
  }) => {
    skip(noSignals);
    const top = await freshSwarm();
    const middle = await swarm.start({ name: 'middle', master: top });
    const viewer = await swarm.start({ name: 'viewer', master: middle, supermaster: top });
    await streamRange(viewer, 'movie', 0, 5);
    middle.child.kill('SIGSTOP');
    try {
      expect(await play(viewer, 'movie')).toEqual(source.exported);
      const stats = await statsOf(viewer);
      expect(stats.currentMaster).toBe(top.address);
    } finally {
      middle.child.kill('SIGCONT');
    }
    // Once the master answers again, the node registers with it and switches back.
    await waitFor(
      async () => (await statsOf(viewer)).currentMaster === middle.address,
      'switch back to the master',
    );
  });

  it('8. timeout on query: the master stops answering queries; the node moves to its supermaster', async ({
    skip,
  }) => {
    skip(noSignals);
    const top = await freshSwarm();
    const middle = await swarm.start({ name: 'middle', master: top });
    const viewer = await swarm.start({ name: 'viewer', master: middle, supermaster: top });
    middle.child.kill('SIGSTOP');
    try {
      expect(await play(viewer, 'movie')).toEqual(source.exported);
      expect((await statsOf(viewer)).currentMaster).toBe(top.address);
    } finally {
      middle.child.kill('SIGCONT');
    }
  });
});
