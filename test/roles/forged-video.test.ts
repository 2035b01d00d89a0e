/**
 * A level-1 node that publishes its own video under the swarm's name (the attack: every node below
 * it played the forgery byte for byte). Its children trust the publisher the first master vouched
 * for, refuse the forged manifest, fail over to the supermaster at once and play the real video.
 */
import { describe, expect, it } from 'vitest';
import type { MediaManifest } from '../../core/shared/manifest.js';
import { SYNTHETIC_PUBLISHER, syntheticVideo } from '../../core/sim/synthetic-video.js';
import { signManifest } from '../../core/trust/manifest-signature.js';
import { generatePublisherKeyPair } from '../../core/trust/publisher-key.js';
import { seededRandom } from '../../core/util/random.js';
import { play, tree } from '../helpers/virtual-tree.js';

const intruder = generatePublisherKeyPair();
/** Another `movie`: other bytes, validly signed, by the intruder's own key. */
const forgery = syntheticVideo('movie', 10, 32 * 1024, seededRandom(666));
const forgedManifest = signManifest(forgery.manifest, intruder);

function unsigned(manifest: MediaManifest): MediaManifest {
  const { publisher: _p, signature: _s, ...rest } = manifest;
  return rest;
}

describe('a master that hands down a forged video', () => {
  it('every node below learns the publisher from the first master, vouched for down the tree', async () => {
    const { swarm } = await tree(81, ['alice']);
    // alice may have registered before mit had learned it: mit's next heartbeat reply says it.
    await swarm.until('alice trusts a publisher', () => swarm.get('alice').trust.pinned !== undefined, 2_000);
    expect(swarm.get('mit').trust.pinned).toMatchObject({ key: SYNTHETIC_PUBLISHER.publicKey });
    expect(swarm.get('mit').trust.pinned?.from).toContain('master source');
    expect(swarm.get('alice').trust.pinned).toMatchObject({ key: SYNTHETIC_PUBLISHER.publicKey });
    expect(swarm.get('alice').trust.pinned?.from).toContain('master mit');
  });

  it.each([
    ['signed by its own key', () => forgedManifest],
    ['unsigned', () => unsigned(forgery.manifest)],
    [
      'with the real signature over other chunks',
      (real: MediaManifest) => ({ ...real, chunks: forgery.manifest.chunks }),
    ],
  ])('%s: refused, the child fails over and plays the real video byte for byte', async (_what, forged) => {
    const { swarm, video } = await tree(82, ['alice']);
    const mit = swarm.get('mit');
    const alice = swarm.get('alice');
    // Trust on first use: the forgery comes from a master alice already learned her publisher from.
    await swarm.until('alice trusts a publisher', () => alice.trust.pinned !== undefined, 2_000);
    let handedDown = 0;
    mit.host.handle('get-manifest', () => {
      handedDown += 1;
      return { reply: { manifest: forged(video.manifest) } };
    });
    const origins = await play(swarm, alice, video);
    expect(handedDown).toBeGreaterThanOrEqual(1);
    // Every chunk was checked against the real manifest (play compares the bytes); mit's honest
    // `get` answers may still have served some before alice left it.
    expect(origins).toHaveLength(video.chunks.length);
    expect(alice.trust.refused).toBeGreaterThanOrEqual(1);
    expect(alice.store.getManifest('movie')?.publisher).toBe(SYNTHETIC_PUBLISHER.publicKey);
    expect(alice.link!.describe()).toMatchObject({ name: 'source', onSupermaster: true });
  });

  it("with no supermaster named, the master's own master is asked instead", async () => {
    const { swarm, video } = await tree(83, []);
    const bob = swarm.node('bob', { master: 'mit' });
    await swarm.until('bob trusts a publisher', () => bob.trust.pinned !== undefined, 2_000);
    swarm.get('mit').host.handle('get-manifest', () => ({ reply: { manifest: forgedManifest } }));
    const manifest = await swarm.settle(bob.fetcher.manifest('movie'), 20_000);
    expect(manifest.chunks.map((chunk) => chunk.sha256)).toEqual(
      video.manifest.chunks.map((chunk) => chunk.sha256),
    );
    expect(bob.trust.refused).toBe(1);
  });

  it('with nowhere else to turn, the viewer gets UNTRUSTED_MANIFEST naming both keys, and stores nothing', async () => {
    const { swarm } = await tree(84, []);
    const lone = swarm.get('source');
    const bob = swarm.node('bob', { master: 'source' });
    await swarm.until('bob trusts a publisher', () => bob.trust.pinned !== undefined, 2_000);
    lone.host.handle('get-manifest', () => ({ reply: { manifest: forgedManifest } }));
    const failure = await swarm
      .settle(bob.fetcher.manifest('movie'), 20_000)
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'UNTRUSTED_MANIFEST' });
    expect((failure as Error).message).toContain(`signed by publisher ${intruder.publicKey.slice(0, 8)}`);
    expect((failure as Error).message).toContain(
      `trusts publisher ${SYNTHETIC_PUBLISHER.publicKey.slice(0, 8)}`,
    );
    expect(bob.store.getManifest('movie')).toBeUndefined();
  });
});
