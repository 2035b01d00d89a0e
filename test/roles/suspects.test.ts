/**
 * Smart-ban reported up: a viewer that bans a sibling for bad bytes names it in its next report, and
 * the master checks the sibling itself before it stops listing it, so one liar is avoided by the
 * whole subtree, while an accusation against an honest sibling changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { INIT_INDEX } from '../../core/shared/segments.js';
import { sha256Hex } from '../../core/util/hash.js';
import { PeerStreamerError } from '../../core/util/errors.js';
import { silentLogger } from '../../core/util/logger.js';
import { SuspectChecks } from '../../core/node/suspect-checks.js';
import { play, tree } from '../helpers/virtual-tree.js';
import { storedManifestDigest } from '../../core/trust/manifest-digests.js';

function holdersAt(swarm: Awaited<ReturnType<typeof tree>>['swarm'], index: number): string[] {
  return swarm
    .get('mit')
    .registry.holders('movie', storedManifestDigest(swarm.get('mit').store, 'movie')!, index, 'an onlooker')
    .map((holder) => holder.name);
}

describe('a banned sibling, reported to the master', () => {
  it('is checked by the master, and no longer listed when it lies to the master too', async () => {
    const { swarm, video } = await tree(81, ['alice', 'bob', 'carol']);
    const [alice, bob] = [swarm.get('alice'), swarm.get('bob')];
    await play(swarm, alice, video);
    await swarm.clock.advance(500);
    expect(holdersAt(swarm, 3)).toContain('alice');

    // alice turns: every chunk she sends from now on has a byte flipped.
    let liesToMit = 0;
    alice.host.handle('get', (request, peer) => {
      if (peer.declaredName === 'mit') liesToMit += 1;
      const original = request.index === INIT_INDEX ? video.init : video.chunks[request.index]!;
      const body = Buffer.from(original);
      body[body.length >> 1]! ^= 0xff;
      return {
        reply: { video: request.video, index: request.index, size: body.length, sha256: sha256Hex(body) },
        body,
      };
    });
    await play(swarm, bob, video);
    expect(bob.counters.corruptChunks).toBeGreaterThanOrEqual(1);
    expect(bob.health.avoided(alice.address)).toBe(true);
    // bob's next report names her; mit asks her for a chunk and gets bad bytes too.
    await swarm.clock.advance(2_000);
    expect(liesToMit).toBe(1);
    expect(swarm.get('mit').health.avoided(alice.address)).toBe(true);
    expect(holdersAt(swarm, 3)).not.toContain('alice');
    expect(holdersAt(swarm, 3)).toContain('bob');
  });

  it('an accusation against an honest sibling: the master checks, and still lists it', async () => {
    const { swarm, video } = await tree(82, ['alice', 'bob']);
    const [alice, bob] = [swarm.get('alice'), swarm.get('bob')];
    await play(swarm, alice, video);
    await swarm.clock.advance(500);
    let checked = 0;
    const honest = alice.host;
    const original = video.chunks;
    honest.handle('get', (request, peer) => {
      if (peer.declaredName === 'mit') checked += 1;
      const body = request.index === INIT_INDEX ? video.init : original[request.index]!;
      return {
        reply: { video: request.video, index: request.index, size: body.length, sha256: sha256Hex(body) },
        body,
      };
    });
    // bob names alice though she did nothing (a lie, or a fault of bob's own).
    bob.link!.suspect('alice');
    await swarm.clock.advance(2_000);
    expect(checked).toBe(1);
    expect(swarm.get('mit').health.avoided(alice.address)).toBe(false);
    expect(holdersAt(swarm, 3)).toContain('alice');
    // Naming her again at once does not make mit ask again: one check per child per 10 s.
    bob.link!.suspect('alice');
    await swarm.clock.advance(2_000);
    expect(checked).toBe(1);
  });

  it('a check the master cannot judge (no manifest) condemns no one', async () => {
    const { swarm, video } = await tree(83, ['alice']);
    await play(swarm, swarm.get('alice'), video);
    const mit = swarm.get('mit');
    const alice = swarm.get('alice');
    alice.host.handle('get', () => new Promise<never>(() => undefined));
    const checks = new SuspectChecks({
      registry: mit.registry,
      health: mit.health,
      transport: mit.host,
      clock: swarm.clock,
      logger: silentLogger(),
      selfName: 'mit',
      manifestOf: () => Promise.reject(new PeerStreamerError('TIMEOUT', 'the source did not answer')),
      digestOf: (video) => storedManifestDigest(mit.store, video),
      hash: (bytes) => Promise.resolve(sha256Hex(bytes)),
    });
    checks.check('bob', ['alice']);
    await swarm.clock.advance(3_000);
    expect(mit.health.banned(alice.address)).toBe(false);
  });
});
