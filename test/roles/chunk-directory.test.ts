/**
 * What a master knows of its children's chunks, in virtual time: a child's store changes reach the
 * master in one report batch, and a supermaster taking a child over learns its whole inventory.
 */
import { describe, expect, it } from 'vitest';
import { VirtualSwarm } from '../../core/sim/virtual-swarm.js';

function holderNames(swarm: VirtualSwarm, master: string, video: string, index: number): string[] {
  return swarm
    .get(master)
    .registry.holders(video, index, 'asker')
    .map((holder) => holder.name);
}

describe("a master's chunk directory in virtual time", () => {
  it("lists a child's new chunk within one report batch, and unlists it once evicted", async () => {
    const swarm = new VirtualSwarm(11);
    swarm.node('source');
    const alice = swarm.node('alice', { master: 'source' });
    await swarm.until('alice registered', () => alice.link!.ownLevel() === 1, 1_000);
    void alice.store.putChunk('movie', 3, Buffer.alloc(1_000));
    const listed = await swarm.until(
      'source lists alice for chunk 3',
      () => holderNames(swarm, 'source', 'movie', 3).includes('alice'),
      1_000,
    );
    // A 200 ms report batch, then 10 ms on the wire.
    expect(listed).toBeLessThanOrEqual(210);
    alice.store.removeChunk('movie', 3);
    await swarm.until(
      'source unlists alice',
      () => holderNames(swarm, 'source', 'movie', 3).length === 0,
      1_000,
    );
  });

  it('lists chunks stored while the child was registering (its inventory was read before they came)', async () => {
    const swarm = new VirtualSwarm(13);
    swarm.node('source');
    const alice = swarm.node('alice', { master: 'source' });
    // The register left with an empty inventory at once; these come while it is on the wire.
    void alice.store.putChunk('movie', 0, Buffer.alloc(1_000));
    void alice.store.putChunk('movie', 1, Buffer.alloc(1_000));
    await swarm.until(
      'source lists both',
      () => holderNames(swarm, 'source', 'movie', 1).includes('alice'),
      1_000,
    );
    expect(holderNames(swarm, 'source', 'movie', 0)).toEqual(['alice']);
  });

  it('gives a supermaster the whole inventory of a child that fails over to it', async () => {
    const swarm = new VirtualSwarm(12);
    swarm.node('source');
    swarm.node('mit', { master: 'source' });
    const alice = swarm.node('alice', { master: 'mit', supermaster: 'source' });
    for (let index = 0; index < 5; index++) void alice.store.putChunk('movie', index, Buffer.alloc(1_000));
    await swarm.until(
      'mit lists all five',
      () => holderNames(swarm, 'mit', 'movie', 4).includes('alice'),
      2_000,
    );
    expect(holderNames(swarm, 'source', 'movie', 0)).toEqual([]);
    swarm.get('mit').kill();
    await swarm.until('alice on the source', () => alice.link!.describe()?.name === 'source', 10_000);
    // Listed once the source's dial-back has found alice at her address.
    await swarm.until(
      'the source lists alice',
      () => holderNames(swarm, 'source', 'movie', 0).includes('alice'),
      2_000,
    );
    for (let index = 0; index < 5; index++)
      expect(holderNames(swarm, 'source', 'movie', index)).toEqual(['alice']);
  });
});
