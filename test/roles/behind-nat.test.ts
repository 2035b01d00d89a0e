/**
 * A node nobody can dial (behind a NAT, issue 11 §3) plays through its own connections, is never
 * offered to others nor made a master, and is told so by its master, to say it in words.
 */
import { describe, expect, it } from 'vitest';
import { syntheticVideo } from '../../core/sim/synthetic-video.js';
import { VirtualSwarm } from '../../core/sim/virtual-swarm.js';
import { describeReachability } from '../../core/shared/format.js';
import { manifestDigest } from '../../core/trust/manifest-signature.js';
import { play, publish } from '../helpers/virtual-tree.js';

describe('a node behind a NAT', () => {
  it('plays, is never offered nor suggested as a master, and hears from its master that it is unreachable', async () => {
    const swarm = new VirtualSwarm(61, { defaultLink: { latencyMs: 10 } });
    const video = syntheticVideo('movie', 6, 16 * 1024, swarm.random);
    await publish(swarm.node('source'), video);
    const open = swarm.node('open', { master: 'source' });
    const natted = swarm.node('natted', { master: 'source', host: { behindNat: true } });
    await swarm.until(
      'both told what their dial-back found',
      () =>
        open.link!.describe()?.reachable !== undefined && natted.link!.describe()?.reachable !== undefined,
      10_000,
    );
    expect(open.link!.describe()?.reachable).toBe(true);
    expect(natted.link!.describe()?.reachable).toBe(false);
    expect(describeReachability(natted.link!.describe()?.reachable)).toBe(
      'not reachable from outside: sharing only through your master',
    );

    // Both play everything, byte for byte: the NATed node through its own connection to its master.
    expect(await play(swarm, natted, video)).toHaveLength(6);
    expect(await play(swarm, open, video)).toHaveLength(6);
    // Both hold the whole video now; only the one others can reach is offered, or suggested to
    // newcomers as a master.
    const source = swarm.get('source');
    const digest = manifestDigest(video.manifest);
    await swarm.until(
      'both reported what they hold',
      () => source.registry.directory.holders('movie', digest, 5).length === 2,
      5_000,
    );
    for (let index = 0; index < 6; index++) {
      const offered = source.registry.holders('movie', digest, index, 'someone');
      expect(offered.map((holder) => holder.name)).toEqual(['open']);
    }
    expect(source.registry.placesFor('newcomer', 8).map((place) => place.name)).toEqual(['open']);
  });
});
