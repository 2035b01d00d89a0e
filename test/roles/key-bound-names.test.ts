/**
 * A child's name belongs to the key that registered it. In virtual time, another host (another key)
 * tries every way of speaking for a live child, and for a killed one: none of it takes the name,
 * edits the child's entries, removes it, or keeps it listed once it is gone.
 */
import { describe, expect, it } from 'vitest';
import { VirtualSwarm } from '../../core/sim/virtual-swarm.js';
import type { MemoryHost } from '../../core/net/memory-host.js';
import type { RequestOf, RequestType } from '../../core/protocol/messages.js';
import type { PeerStreamerError } from '../../core/util/errors.js';
import { MemoryChunkStore } from '../../core/store/memory-chunk-store.js';
import { holdMovie } from '../helpers/digests.js';

/** The content alice holds as "movie" (and the attacker claims to). */
const MOVIE = holdMovie(new MemoryChunkStore());

const ATTACKER = 'tcp://10.66.6.6:7000';

function setup() {
  const swarm = new VirtualSwarm(21);
  const source = swarm.node('source');
  const alice = swarm.node('alice', { master: 'source' });
  holdMovie(alice.store);
  void alice.store.putChunk('movie', 0, Buffer.alloc(1_000));
  const attacker = swarm.network.host(ATTACKER);
  /** Sends as the attacker; resolves with the reply or the error's code. */
  const send = async <K extends RequestType>(request: RequestOf<K>): Promise<string> => {
    try {
      const { reply } = await swarm.settle(
        attacker.request(source.address, request, { timeoutMs: 1_000 }),
        2_000,
      );
      return (reply as { type?: string }).type ?? 'ok';
    } catch (error) {
      return (error as PeerStreamerError).context.remoteCode as string;
    }
  };
  const listed = (index: number) =>
    source.registry.holders('movie', MOVIE, index, 'someone').map((holder) => holder.address);
  return { swarm, source, alice, attacker, send, listed };
}

async function registered(swarm: VirtualSwarm, name: string): Promise<void> {
  await swarm.until(`${name} listed`, () => swarm.get('source').registry.child(name) !== undefined, 2_000);
  await swarm.until(
    'its chunk listed',
    () => swarm.get('source').registry.holders('movie', MOVIE, 0, 'x').length > 0,
    2_000,
  );
}

const register = (attacker: MemoryHost): RequestOf<'register'> => ({
  type: 'register',
  name: 'alice',
  nodeId: 'alice-id',
  address: attacker.address,
  role: 'child',
  seeding: true,
  chunks: [{ video: 'movie', digest: MOVIE, indexes: [5] }],
  capacity: { maxInFlight: 16, uploadBytesPerSecond: 0, storeBytes: 0 },
});

describe('a name is bound to the key that registered it', () => {
  it("refuses a register under a live child's name from another key, and changes nothing", async () => {
    const { swarm, source, alice, attacker, send, listed } = setup();
    await registered(swarm, 'alice');
    expect(await send(register(attacker))).toBe('NAME_TAKEN');
    expect(source.registry.child('alice')?.address).toBe(alice.address);
    expect(listed(0)).toEqual([alice.address]);
    expect(listed(5)).toEqual([]);
  });

  it('ignores a bye sent as another child every 200 ms: the child stays listed', async () => {
    const { swarm, source, alice, send, listed } = setup();
    await registered(swarm, 'alice');
    for (let i = 0; i < 25; i++) {
      await send({ type: 'bye', name: 'alice', nodeId: 'alice-id' });
      await swarm.settle(new Promise((resolve) => swarm.clock.after(200, () => resolve(undefined))), 500);
      expect(source.registry.child('alice')?.address).toBe(alice.address);
    }
    expect(listed(0)).toEqual([alice.address]);
  });

  it("refuses a report sent as another child: NOT_REGISTERED, and the child's entries stay", async () => {
    const { swarm, alice, send, listed } = setup();
    await registered(swarm, 'alice');
    const report: RequestOf<'report'> = {
      type: 'report',
      name: 'alice',
      nodeId: 'alice-id',
      added: [{ video: 'movie', indexes: [7] }],
      removed: [{ video: 'movie', indexes: [0] }],
    };
    expect(await send(report)).toBe('NOT_REGISTERED');
    expect(listed(0)).toEqual([alice.address]);
    expect(listed(7)).toEqual([]);
  });

  it('drops a killed child on time, however often another peer pings or queries in its name', async () => {
    const { swarm, source, alice, send } = setup();
    await registered(swarm, 'alice');
    alice.kill();
    const killedAt = swarm.clock.now();
    let pings = 0;
    while (source.registry.child('alice') !== undefined) {
      expect(await send({ type: 'ping', name: 'alice', nodeId: 'alice-id' })).toBe('NOT_REGISTERED');
      await send({ type: 'query', name: 'alice', video: 'movie', from: 0, count: 1 });
      pings += 1;
      await swarm.settle(new Promise((resolve) => swarm.clock.after(200, () => resolve(undefined))), 500);
      expect(swarm.clock.now() - killedAt).toBeLessThan(3_500);
    }
    expect(pings).toBeGreaterThan(5);
    // The child's own key gets the name back once it is gone: its store restarted elsewhere.
    const again = swarm.node('alice', { master: 'source', host: { key: alice.host.key } });
    await swarm.until('alice back', () => source.registry.child('alice')?.address === again.address, 3_000);
  });
});
