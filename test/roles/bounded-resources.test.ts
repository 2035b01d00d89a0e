/**
 * What a master keeps for strangers is bounded (issue 10 §2), in virtual time: a child is named as a
 * holder only once the master has reached it at the address it gave; children past the hard cap are
 * refused; an inventory larger than one request reaches the master in full, as a register and
 * reports. test/e2e/resource-floods.test.ts floods a real node process with the same.
 */
import { describe, expect, it } from 'vitest';
import { VirtualSwarm } from '../../core/sim/virtual-swarm.js';
import { MemoryChunkStore } from '../../core/store/memory-chunk-store.js';
import { hardMaxChildren } from '../../core/node/master-limits.js';
import { movieHolderRegister } from '../helpers/child-register.js';
import { MAX_REQUEST_INVENTORY_INDEXES } from '../../core/protocol/limits.js';
import { holdMovie } from '../helpers/digests.js';

/** The content every child here holds as "movie". */
const MOVIE = holdMovie(new MemoryChunkStore());

function holderNames(swarm: VirtualSwarm, master: string, index: number): string[] {
  return swarm
    .get(master)
    .registry.holders('movie', MOVIE, index, 'asker')
    .map((holder) => holder.name);
}

const register = (name: string, address: string) => movieHolderRegister(name, address, MOVIE, [0, 1, 2]);

describe('bounded resources at a master', () => {
  it('lists a child only once it answers at its address; a liar is registered but never listed nor suggested', async () => {
    const swarm = new VirtualSwarm(31);
    const source = swarm.node('source', { maxChildren: 3 });
    const bob = swarm.node('bob', { master: 'source' });
    await swarm.until('bob registered', () => bob.link!.describe() !== null, 5_000);
    holdMovie(bob.store);
    for (const index of [0, 1, 2]) void bob.store.putChunk('movie', index, Buffer.alloc(100));
    await swarm.until('bob listed', () => holderNames(swarm, 'source', 2).includes('bob'), 5_000);

    // One liar gives an address nobody serves, another gives bob's: neither answers as itself there.
    const liars = swarm.network.host('tcp://10.99.0.1:7000');
    for (const [name, address] of [
      ['ghost', 'tcp://10.99.0.2:7000'],
      ['thief', bob.address],
    ] as const) {
      const { reply } = await swarm.settle(
        liars.request(source.address, register(name, address), { timeoutMs: 1_000 }),
        5_000,
      );
      expect(reply.masterName).toBe('source');
    }
    await swarm.until('both dial-backs failed', () => source.service.unreachableChildren === 2, 5_000);
    expect(source.registry.child('ghost')?.reachable).toBe(false);
    expect(source.registry.child('thief')?.reachable).toBe(false);
    // Registered (it could play through its master), but never sent to a sibling or a newcomer.
    for (const index of [0, 1, 2]) expect(holderNames(swarm, 'source', index)).toEqual(['bob']);
    expect(source.registry.placesFor('newcomer', 8).map((place) => place.name)).toEqual(['bob']);
    // Full now: a newcomer is sent to bob, never to a liar.
    const refusal = await swarm
      .settle(
        liars.request(source.address, register('newcomer', 'tcp://10.99.0.3:7000'), { timeoutMs: 1_000 }),
        5_000,
      )
      .then(
        () => null,
        (error: { context: { remoteCode?: string; tryInstead?: Array<{ name: string }> } }) => error.context,
      );
    expect(refusal?.remoteCode).toBe('MASTER_FULL');
    expect(refusal?.tryInstead?.map((place) => place.name)).toEqual(['bob']);
  });

  /** 100 registers at once from one host, each of a fake child of its own; their outcomes. */
  function flood(swarm: VirtualSwarm, to: string, seeding: boolean): Promise<string[]> {
    const flooder = swarm.network.host('tcp://10.99.0.1:7000');
    return swarm.settle(
      Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          flooder
            .request(
              to,
              { ...register(`fake-${i}`, `tcp://10.98.0.${i}:7000`), seeding },
              { timeoutMs: 2_000 },
            )
            .then(
              () => 'ok',
              (error: { context?: { remoteCode?: string } }) => error.context?.remoteCode ?? 'failed',
            ),
        ),
      ),
      10_000,
    );
  }

  it('refuses newcomers past the hard cap when no child can take them, and counts each refusal', async () => {
    const swarm = new VirtualSwarm(32);
    const source = swarm.node('source', { maxChildren: 4 });
    // Children that do not seed are never places for newcomers: the source takes them anyway, as
    // one without a place helps no one, up to the hard cap.
    const outcomes = await flood(swarm, source.address, false);
    expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(hardMaxChildren(4));
    expect(new Set(outcomes.filter((outcome) => outcome !== 'ok'))).toEqual(new Set(['MASTER_FULL']));
    expect(source.registry.count).toBe(hardMaxChildren(4));
    expect(source.service.limitHits.childrenHardCap).toBe(100 - hardMaxChildren(4));
  });

  it('asks newcomers to come back while its children are in their dial-back, rather than overfill', async () => {
    const swarm = new VirtualSwarm(34);
    const source = swarm.node('source', { maxChildren: 4 });
    // Seeding children are places as soon as their dial-back answers: until then a full master
    // refuses (MASTER_FULL, no suggestions), and the newcomer asks again.
    const outcomes = await flood(swarm, source.address, true);
    expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(4);
    expect(new Set(outcomes.filter((outcome) => outcome !== 'ok'))).toEqual(new Set(['MASTER_FULL']));
    expect(source.registry.count).toBe(4);
    expect(source.service.limitHits).toMatchObject({ childrenFull: 96, childrenHardCap: 0 });
  });

  it('a child holding more than one request carries registers with a part and reports the rest', async () => {
    const swarm = new VirtualSwarm(33);
    swarm.node('source');
    const store = new MemoryChunkStore();
    const held = 2 * MAX_REQUEST_INVENTORY_INDEXES + 100;
    for (let index = 0; index < held; index++) await store.putChunk('movie', index, Buffer.alloc(1));
    const alice = swarm.node('alice', { master: 'source', store });
    await swarm.until(
      'the source knows every chunk alice holds',
      () => swarm.get('source').registry.directory.inventoryOf('alice').movie?.length === held,
      10_000,
    );
    expect(alice.link!.describe()?.name).toBe('source');
  });
});
