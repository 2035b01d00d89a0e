/**
 * The eight scenarios the original system's shell tests exercised (../shared/seed/BEHAVIOUR.md), as
 * whole nodes built from the node's own roles over the in-memory network in virtual time: each
 * checks what the original's test checked, and where it can, exactly when it happened. The wiring
 * of the same roles into processes over ZeroMQ is proven by test/e2e/tree.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { MemoryHost } from '../../core/net/memory-host.js';
import type { VirtualNode, VirtualSwarm } from '../../core/sim/virtual-swarm.js';
import { LATENCY_MS, play, tree } from '../helpers/virtual-tree.js';
import { storedManifestDigest } from '../../core/trust/manifest-digests.js';

const CHUNKS = 10;
/** A round trip between two nodes of the tree, ms. */
const RTT = 2 * LATENCY_MS;
/**
 * The fetcher's defaults, the original's figures but for the peer's: the original waited 3 s for a
 * peer; here the master is asked beside a peer that has not answered within 300 ms.
 */
const HEDGE_MS = 300;
const MASTER_GET_TIMEOUT_MS = 3_000;
const QUERY_TIMEOUT_MS = 1_000;

/**
 * Who mit's directory lists for a chunk of the movie it passed down, as a `query` from a viewer
 * holding its manifest would answer (without counting an assignment).
 */
function holdersAt(master: VirtualNode, index: number): string[] {
  return master.registry.directory
    .holders('movie', storedManifestDigest(master.store, 'movie')!, index)
    .map((holder) => holder.name)
    .sort();
}

/** A play client (`peerstreamer play`, the original video_streamer.js): nobody's child, no server. */
function playClient(swarm: VirtualSwarm): MemoryHost {
  return swarm.network.host('tcp://10.250.0.1:7000');
}

function getOnStream(client: MemoryHost, node: VirtualNode, index: number, streamId: string) {
  return client.request(
    node.address,
    { type: 'get', video: 'movie', index, fetchUpstream: true, streamId },
    { timeoutMs: 10_000 },
  );
}

/**
 * Runs virtual time until `work` fails, and resolves with its error (or throws if it succeeded).
 * Settled this way, the rejection is handled from the start: swarm.settle hands it back only after
 * the clock has run, which Node reports as unhandled meanwhile.
 */
async function refusal(swarm: VirtualSwarm, work: Promise<unknown>, limitMs = 20_000): Promise<unknown> {
  const outcome = await swarm.settle(
    work.then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    limitMs,
  );
  if (outcome.ok) throw new Error('expected a refusal, got an answer');
  return outcome.error;
}

describe('the original system’s scenarios, in virtual time', () => {
  it('1. caching: a second viewer’s node gets chunks from the first viewer’s node, not the master', async () => {
    const { swarm, video } = await tree(51, ['alice', 'bob']);
    const [mit, alice, bob] = ['mit', 'alice', 'bob'].map((name) => swarm.get(name));
    expect(await play(swarm, alice!, video)).toEqual(Array(CHUNKS).fill('master'));
    const servedByMit = mit!.counters.chunksServed;
    // Alice's chunks reach mit's directory with her next report.
    await swarm.clock.advance(300);
    expect(holdersAt(mit!, CHUNKS - 1)).toEqual(['alice']);
    expect(await play(swarm, bob!, video)).toEqual(Array(CHUNKS).fill('peer'));
    expect(mit!.counters.chunksServed).toBe(servedByMit);
    expect(alice!.counters.chunksServed).toBe(CHUNKS);
    const videoBytes = video.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    expect(bob!.counters.bytesFetched).toEqual({ local: 0, peer: videoBytes, master: 0, source: 0 });
    expect(bob!.health.get(alice!.address)?.bytesDown).toBe(videoBytes);
    // A second play through bob comes from bob's own store.
    expect(await play(swarm, bob!, video)).toEqual(Array(CHUNKS).fill('local'));
    expect(alice!.counters.chunksServed).toBe(CHUNKS);
  });

  it('2. end of file: asking past the last chunk gets an explicit end, not an error of the node or a hang', async () => {
    const { swarm } = await tree(55, ['alice']);
    const alice = swarm.get('alice');
    const client = playClient(swarm);
    // A hang would end in the client's TIMEOUT; an explicit end is the node's CHUNK_NOT_FOUND reply.
    const started = swarm.clock.now();
    expect(await refusal(swarm, getOnStream(client, alice, CHUNKS, 'eof'))).toMatchObject({
      code: 'CHUNK_NOT_FOUND',
      context: { remoteCode: 'CHUNK_NOT_FOUND' },
    });
    // Alice had no manifest yet: she asked mit, who asked the source. Then she knew there is no chunk 10.
    expect(swarm.clock.now() - started).toBe(3 * RTT);
    // A whole play on one stream ends with the last chunk: the stream is over, no request hangs.
    for (let index = 0; index < CHUNKS; index++) {
      await swarm.settle(getOnStream(client, alice, index, 'whole'), 20_000);
    }
    // Past the end of a stream played to its end: refused in one round trip.
    const again = swarm.clock.now();
    expect(await refusal(swarm, getOnStream(client, alice, CHUNKS, 'whole'))).toMatchObject({
      code: 'CHUNK_NOT_FOUND',
    });
    expect(swarm.clock.now() - again).toBe(RTT);
    expect(alice.host.crashed).toBe(false);
  });

  it('3. register includes chunks: a restarted node re-registers with its cache, and others are sent to it', async () => {
    const { swarm, video } = await tree(56, ['alice']);
    const [mit, alice] = [swarm.get('mit'), swarm.get('alice')];
    await play(swarm, alice, video);
    await swarm.clock.advance(300);
    expect(holdersAt(mit, CHUNKS - 1)).toEqual(['alice']);
    alice.kill();
    // Dropped as a dead child (2.5 s after her last heartbeat, at mit's next sweep) with her chunks.
    const dropped = await swarm.until('mit drops alice', () => holdersAt(mit, 3).length === 0, 5_000);
    expect(dropped).toBeGreaterThan(1_500);
    expect(dropped).toBeLessThan(3_000);
    // Restarted as a process is, with the store it had on disk.
    const restarted = swarm.node('alice', { master: 'mit', supermaster: 'source', store: alice.store });
    const listed = await swarm.until('alice listed again', () => holdersAt(mit, 3).length > 0, 2_000);
    // Her first message, the register, carried her inventory: listed the moment it arrived.
    expect(listed).toBe(LATENCY_MS);
    // Listed for everything it holds by its register alone, before it has played or reported anything.
    for (let index = 0; index < CHUNKS; index++) expect(holdersAt(mit, index)).toEqual(['alice']);
    expect(restarted.counters.chunksServed).toBe(0);
    const bob = swarm.node('bob', { master: 'mit', supermaster: 'source' });
    await swarm.until('bob registered', () => bob.link!.describe()?.name === 'mit', 2_000);
    const servedByMit = mit.counters.chunksServed;
    expect(await play(swarm, bob, video)).toEqual(Array(CHUNKS).fill('peer'));
    expect(restarted.counters.chunksServed).toBe(CHUNKS);
    expect(mit.counters.chunksServed).toBe(servedByMit);
  });

  it('4. requery: a long stream moves between peers as they run out of chunks (alice -> bob -> master)', async () => {
    const chunks = 20;
    const { swarm, video } = await tree(57, ['alice', 'bob', 'carol'], chunks);
    const [mit, alice, bob, carol] = ['mit', 'alice', 'bob', 'carol'].map((name) => swarm.get(name));
    await play(swarm, alice!, video, 0, 7);
    await play(swarm, bob!, video, 8, 14);
    await swarm.clock.advance(300);
    expect(holdersAt(mit!, 6)).toEqual(['alice']);
    expect(holdersAt(mit!, 13)).toEqual(['bob']);
    const servedByMit = mit!.counters.chunksServed;
    const started = swarm.clock.now();
    const origins = await play(swarm, carol!, video);
    // Never a timeout: each chunk took at most a query and a get round trip.
    expect(swarm.clock.now() - started).toBeLessThanOrEqual(chunks * 2 * RTT);
    // 0-6 from alice, 7 (nobody's) from mit, 8-13 from bob, and the rest, which nobody holds, from mit.
    const expected = [
      ...Array(7).fill('peer'),
      'master',
      ...Array(6).fill('peer'),
      ...Array(chunks - 14).fill('master'),
    ];
    expect(origins).toEqual(expected);
    expect(alice!.counters.chunksServed).toBe(7);
    expect(bob!.counters.chunksServed).toBe(6);
    expect(mit!.counters.chunksServed - servedByMit).toBe(1 + chunks - 14);
  });

  it('5. request after crash: a peer the master still lists is dead; the fetch moves on', async () => {
    const { swarm, video } = await tree(58, ['alice', 'bob']);
    const [mit, alice, bob] = ['mit', 'alice', 'bob'].map((name) => swarm.get(name));
    await play(swarm, alice!, video);
    await swarm.clock.advance(300);
    alice!.kill();
    expect(holdersAt(mit!, 0)).toEqual(['alice']);
    const ms: number[] = [];
    for (let index = 0; index < CHUNKS; index++) {
      const started = swarm.clock.now();
      expect(await play(swarm, bob!, video, index, index + 1)).toEqual(['master']);
      ms.push(swarm.clock.now() - started);
    }
    // Chunk 0: a query, alice's silence until the hedge (300 ms), then a get from mit beside it.
    expect(ms[0]).toBe(RTT + HEDGE_MS + RTT);
    // Each chunk alice does not answer counts against her; after three she is avoided, and chunks
    // asked for after that go to mit at once, though mit still lists her.
    const failures = bob!.health.get(alice!.address)?.failures ?? 0;
    expect(failures).toBeGreaterThanOrEqual(1);
    expect(failures).toBeLessThanOrEqual(3);
    expect(ms.slice(failures).every((time) => time <= 2 * RTT)).toBe(true);
    // Mit drops her as a dead child within 3 s of her last heartbeat.
    await swarm.clock.advance(3_000);
    expect(holdersAt(mit!, 0)).not.toContain('alice');
    expect(bob!.counters.bytesFetched.peer).toBe(0);
  });

  it('6. out-of-order requests: chunks 10..6 asked in parallel are answered in order', async () => {
    const { swarm, video } = await tree(59, ['alice'], 20);
    const alice = swarm.get('alice');
    const client = playClient(swarm);
    const streamId = 'out-of-order';
    await swarm.settle(getOnStream(client, alice, 5, streamId), 5_000);
    const answered: number[] = [];
    const at: number[] = [];
    const started = swarm.clock.now();
    await swarm.settle(
      Promise.all(
        [10, 9, 8, 7, 6].map(async (index) => {
          const { reply, body } = await getOnStream(client, alice, index, streamId);
          expect(reply.sha256).toBe(video.manifest.chunks[index]!.sha256);
          expect(body?.equals(video.chunks[index]!)).toBe(true);
          answered.push(index);
          at.push(swarm.clock.now() - started);
        }),
      ),
      5_000,
    );
    expect(answered).toEqual([6, 7, 8, 9, 10]);
    // None waited on a timeout: at most two fetches through mit from the source, which alice's stream
    // runs four at a time.
    expect(Math.max(...at)).toBeLessThanOrEqual(4 * RTT);
    // A request behind the stream's position is refused, not hung.
    expect(await refusal(swarm, getOnStream(client, alice, 3, streamId))).toMatchObject({
      context: { remoteCode: 'INVALID_ARGUMENT' },
    });
    // So is a second request for a chunk still pending (12 waits for 11, which nobody asked for yet).
    const twelve = getOnStream(client, alice, 12, streamId);
    expect(await refusal(swarm, getOnStream(client, alice, 12, streamId))).toMatchObject({
      context: { remoteCode: 'INVALID_ARGUMENT' },
    });
    const eleven = getOnStream(client, alice, 11, streamId);
    const [a, b] = await swarm.settle(Promise.all([eleven, twelve]), 5_000);
    expect(a.body?.equals(video.chunks[11]!)).toBe(true);
    expect(b.body?.equals(video.chunks[12]!)).toBe(true);
  });

  it('7. timeout on get: a master that stops answering mid-stream; the node moves to its supermaster', async () => {
    const { swarm, video } = await tree(52, ['alice']);
    const [mit, alice] = [swarm.get('mit'), swarm.get('alice')];
    expect(await swarm.settle(alice.fetcher.fetch('movie', 0), 5_000)).toMatchObject({ origin: 'master' });
    // Still answering heartbeats and queries, no longer chunks.
    mit.host.handle('get', () => new Promise<never>(() => undefined));
    const started = swarm.clock.now();
    const rest = await play(swarm, alice, video, 1);
    expect(rest).toEqual(Array(CHUNKS - 1).fill('source'));
    expect(alice.link!.describe()).toMatchObject({ name: 'source', onSupermaster: true });
    // One master timeout lost on chunk 1, then a register and a get through the supermaster for each.
    const took = swarm.clock.now() - started;
    expect(took).toBeGreaterThanOrEqual(MASTER_GET_TIMEOUT_MS);
    expect(took).toBeLessThan(MASTER_GET_TIMEOUT_MS + (CHUNKS - 1) * 2 * RTT);
    expect(alice.counters.failovers).toBeGreaterThanOrEqual(1);
    // Mit kept answering heartbeats, so alice's next probe of her home master (each 1 s while she is
    // on the supermaster) finds it, and she registers there again.
    const back = await swarm.until(
      'alice back under mit',
      () => alice.link!.describe()?.name === 'mit',
      5_000,
    );
    expect(back).toBeLessThanOrEqual(1_000 + 2 * RTT);
    expect(alice.link!.describe()?.onSupermaster).toBe(false);
  });

  it('8. timeout on query: the master stops answering queries; the node moves to its supermaster', async () => {
    const { swarm, video } = await tree(53, ['alice']);
    const [mit, alice] = [swarm.get('mit'), swarm.get('alice')];
    mit.host.handle('query', () => new Promise<never>(() => undefined));
    const started = swarm.clock.now();
    const origins = await play(swarm, alice, video);
    // The first query's timeout moved alice to the source before she asked anyone for chunk 0.
    expect(origins).toEqual(Array(CHUNKS).fill('source'));
    expect(alice.link!.describe()).toMatchObject({ name: 'source', onSupermaster: true });
    const took = swarm.clock.now() - started;
    expect(took).toBeGreaterThanOrEqual(QUERY_TIMEOUT_MS);
    expect(took).toBeLessThan(QUERY_TIMEOUT_MS + CHUNKS * 2 * RTT);
  });
});
