/**
 * A child that holds other content under a video's name (another version of "movie", validly
 * signed): its inventory names its manifest's digest, and its master offers it only to askers
 * holding that same manifest. Viewers of the real video are never pointed at it, on a cold start
 * (no manifest yet) or after; viewers of its version are, and get it from there.
 */
import { describe, expect, it } from 'vitest';
import { syntheticVideo } from '../../core/sim/synthetic-video.js';
import { manifestDigest } from '../../core/trust/manifest-signature.js';
import { seededRandom } from '../../core/util/random.js';
import { play, publish, tree } from '../helpers/virtual-tree.js';

/** Another "movie" of the same shape, by the same publisher: other bytes, so another digest. */
const other = syntheticVideo('movie', 10, 32 * 1024, seededRandom(777));

async function swarmWithOtherHolder(seed: number) {
  const { swarm, video } = await tree(seed, ['bob']);
  const mit = swarm.get('mit');
  const mallory = swarm.node('mallory', { master: 'mit', supermaster: 'source' });
  await publish(mallory, other);
  await swarm.until(
    'mit lists what mallory holds',
    () =>
      mit.registry.child('mallory')?.reachable === true &&
      mit.registry.directory.inventoryOf('mallory').movie?.length === other.chunks.length,
    2_000,
  );
  return { swarm, video, mit, mallory };
}

describe('a holder of other content under the same name', () => {
  it('is never offered to a viewer of the real video, cold start included', async () => {
    const { swarm, video, mallory } = await swarmWithOtherHolder(91);
    expect(manifestDigest(other.manifest)).not.toBe(manifestDigest(video.manifest));
    const bob = swarm.get('bob');
    // bob has no manifest: his first query goes beside get-manifest, without a digest.
    expect(bob.store.getManifest('movie')).toBeUndefined();
    // mallory is the only child holding a "movie": bob is sent to nobody, and plays from mit.
    expect(await play(swarm, bob, video)).toEqual(Array(video.chunks.length).fill('master'));
    expect(mallory.counters.chunksServed).toBe(0);
    expect(bob.counters.corruptChunks).toBe(0);
    expect(bob.health.get(mallory.address)).toBeUndefined();
  });

  it('a viewer of the real video is sent to a holder of the real video, never to the other', async () => {
    const { swarm, video, mit, mallory } = await swarmWithOtherHolder(92);
    await play(swarm, swarm.get('bob'), video);
    await swarm.clock.advance(300);
    const carol = swarm.node('carol', { master: 'mit', supermaster: 'source' });
    await swarm.until('carol registered', () => carol.link!.describe()?.name === 'mit', 2_000);
    expect(await play(swarm, carol, video)).toEqual(Array(video.chunks.length).fill('peer'));
    expect(swarm.get('bob').counters.chunksServed).toBe(video.chunks.length);
    expect(mallory.counters.chunksServed).toBe(0);
    expect(carol.counters.corruptChunks).toBe(0);
    // Not an error at the master: mallory stays registered and listed for her own content.
    expect(mit.health.avoided(mallory.address)).toBe(false);
    expect(
      mit.registry.holders('movie', manifestDigest(other.manifest), 0, 'x').map((holder) => holder.name),
    ).toEqual(['mallory']);
  });

  it('a viewer holding the other manifest is sent to it, and never to a holder of the real video', async () => {
    const { swarm, video, mallory } = await swarmWithOtherHolder(93);
    const bob = swarm.get('bob');
    await play(swarm, bob, video);
    await swarm.clock.advance(300);
    const eve = swarm.node('eve', { master: 'mit', supermaster: 'source' });
    eve.store.putManifest(other.manifest);
    await swarm.until('eve registered', () => eve.link!.describe()?.name === 'mit', 2_000);
    expect(await play(swarm, eve, other)).toEqual(Array(other.chunks.length).fill('peer'));
    expect(mallory.counters.chunksServed).toBe(other.chunks.length);
    expect(bob.counters.chunksServed).toBe(0);
    expect(eve.counters.corruptChunks).toBe(0);
  });

  it("a query without a digest is answered for the master's own manifest, and says so", async () => {
    const { swarm, video, mit } = await swarmWithOtherHolder(94);
    await play(swarm, swarm.get('bob'), video);
    await swarm.clock.advance(300);
    const asker = swarm.network.host('tcp://10.250.0.9:7000');
    const ask = async (digest?: string) => {
      const { reply } = await swarm.settle(
        asker.request(
          mit.address,
          { type: 'query', name: 'asker', video: 'movie', ...(digest ? { digest } : {}), from: 0, count: 2 },
          { timeoutMs: 1_000 },
        ),
        2_000,
      );
      return { digest: reply.digest, holders: reply.holders.map((list) => list.map((peer) => peer.name)) };
    };
    expect(await ask()).toEqual({ digest: manifestDigest(video.manifest), holders: [['bob'], ['bob']] });
    const theirs = manifestDigest(other.manifest);
    expect(await ask(theirs)).toEqual({ digest: theirs, holders: [['mallory'], ['mallory']] });
    // Each holder comes with the key it proved on registering, so the asker dials it at address#key.
    const { reply } = await swarm.settle(
      asker.request(
        mit.address,
        { type: 'query', name: 'asker', video: 'movie', from: 0, count: 1 },
        { timeoutMs: 1_000 },
      ),
      2_000,
    );
    expect(reply.holders[0]).toEqual([
      { name: 'bob', address: swarm.get('bob').address, key: swarm.get('bob').host.key },
    ]);
  });
});
