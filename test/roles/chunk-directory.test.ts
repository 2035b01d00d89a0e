/**
 * What a master knows of its children's chunks, in virtual time: a child's store changes reach the
 * master in one report batch, and a supermaster taking a child over learns its whole inventory.
 */
import { describe, expect, it } from 'vitest';
import { VirtualSwarm } from '../../core/sim/virtual-swarm.js';
import { MemoryChunkStore } from '../../core/store/memory-chunk-store.js';
import { signManifest } from '../../core/trust/manifest-signature.js';
import { generatePublisherKeyPair } from '../../core/trust/publisher-key.js';
import { storedManifestDigest } from '../../core/trust/manifest-digests.js';
import { holdMovie } from '../helpers/digests.js';

/** The content the children here hold as "movie" (holdMovie puts its manifest in their stores). */
const MOVIE = holdMovie(new MemoryChunkStore());

function holderNames(
  swarm: VirtualSwarm,
  master: string,
  video: string,
  index: number,
  digest = MOVIE,
): string[] {
  return swarm
    .get(master)
    .registry.holders(video, digest, index, 'asker')
    .map((holder) => holder.name);
}

describe("a master's chunk directory in virtual time", () => {
  it("lists a child's new chunk within one report batch, and unlists it once evicted", async () => {
    const swarm = new VirtualSwarm(11);
    swarm.node('source');
    const alice = swarm.node('alice', { master: 'source' });
    await swarm.until('alice registered', () => alice.link!.ownLevel() === 1, 1_000);
    holdMovie(alice.store);
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
    holdMovie(alice.store);
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
    holdMovie(alice.store);
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

  it('keeps chunks held without their manifest in the inventory, and never lists them', async () => {
    const swarm = new VirtualSwarm(14);
    swarm.node('source');
    const alice = swarm.node('alice', { master: 'source' });
    void alice.store.putChunk('movie', 0, Buffer.alloc(1_000));
    const source = swarm.get('source');
    await swarm.until(
      'the source knows the chunk',
      () => source.registry.directory.inventoryOf('alice').movie !== undefined,
      1_000,
    );
    // No manifest, no digest: nobody can tell which "movie" it is, so nobody is sent to it.
    expect(holderNames(swarm, 'source', 'movie', 0)).toEqual([]);
  });

  it('lists a video signed again in place under its new digest, chunks and all', async () => {
    const swarm = new VirtualSwarm(15);
    swarm.node('source');
    const alice = swarm.node('alice', { master: 'source' });
    holdMovie(alice.store);
    for (let index = 0; index < 3; index++) void alice.store.putChunk('movie', index, Buffer.alloc(1_000));
    await swarm.until('listed', () => holderNames(swarm, 'source', 'movie', 2).includes('alice'), 1_000);
    // As the stored-manifest sweep does: the same chunks under a new signature, and no store event.
    alice.store.putManifest(signManifest(alice.store.getManifest('movie')!, generatePublisherKeyPair()));
    const resigned = storedManifestDigest(alice.store, 'movie')!;
    expect(resigned).not.toBe(MOVIE);
    alice.link!.manifestChanged('movie');
    await swarm.until(
      'listed under the new digest',
      () => holderNames(swarm, 'source', 'movie', 2, resigned).includes('alice'),
      1_000,
    );
    for (let index = 0; index < 3; index++) {
      expect(holderNames(swarm, 'source', 'movie', index, resigned)).toEqual(['alice']);
      expect(holderNames(swarm, 'source', 'movie', index)).toEqual([]);
    }
  });
});
