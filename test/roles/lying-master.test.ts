/**
 * A master that answers heartbeats but not `get` honestly: errors, or bytes that fail their hash. Its
 * child leaves it as it would a silent one, for its supermaster, and plays the video byte for byte.
 * (Before, such a subtree never played: heartbeats kept the master in use, and the supermaster was
 * never tried.)
 */
import { describe, expect, it } from 'vitest';
import { INIT_INDEX } from '../../core/shared/segments.js';
import { PeerStreamerError } from '../../core/util/errors.js';
import { sha256Hex } from '../../core/util/hash.js';
import { play, tree } from '../helpers/virtual-tree.js';

describe('a master that lies about chunks', () => {
  it.each([
    ['sends bytes that fail their hash', 'corrupt'],
    ['answers every get with an INTERNAL error', 'error'],
  ] as const)('%s: its child fails over to the supermaster and plays every chunk', async (_what, lie) => {
    const { swarm, video } = await tree(71, ['alice']);
    const mit = swarm.get('mit');
    const alice = swarm.get('alice');
    let lied = 0;
    mit.host.handle('get', (request) => {
      lied += 1;
      if (lie === 'error') throw new PeerStreamerError('INTERNAL', 'the disk is on fire');
      const original = request.index === INIT_INDEX ? video.init : video.chunks[request.index]!;
      const body = Buffer.from(original);
      body[0]! ^= 0xff;
      return {
        reply: { video: request.video, index: request.index, size: body.length, sha256: sha256Hex(body) },
        body,
      };
    });
    const origins = await play(swarm, alice, video);
    expect(origins.every((origin) => origin === 'source')).toBe(true);
    expect(alice.link!.describe()).toMatchObject({ name: 'source', onSupermaster: true });
    expect(alice.counters.failovers).toBeGreaterThanOrEqual(1);
    expect(lied).toBeGreaterThanOrEqual(1);
    expect(alice.counters.corruptChunks).toBe(lie === 'corrupt' ? lied : 0);
  });

  it('goes back to a master that lied only once it serves a good chunk, after 10 s, then twice as long', async () => {
    const { swarm, video } = await tree(72, ['alice']);
    const mit = swarm.get('mit');
    const alice = swarm.get('alice');
    let lying = true;
    mit.host.handle('get', (request) => {
      if (lying) throw new PeerStreamerError('INTERNAL', 'the disk is on fire');
      const body = request.index === INIT_INDEX ? video.init : video.chunks[request.index]!;
      return {
        reply: { video: request.video, index: request.index, size: body.length, sha256: sha256Hex(body) },
        body,
      };
    });
    const onSource = (): boolean => alice.link!.describe()?.name === 'source';
    await play(swarm, alice, video, 0, 1);
    const firstLie = swarm.clock.now();
    expect(onSource()).toBe(true);
    // mit answers heartbeats and would take alice back; after 10 s she asks it for a chunk first,
    // and it still lies: she stays, and waits 20 s more.
    const movedBack = await swarm
      .until('alice back under a master that still lies', () => !onSource(), 25_000)
      .then(
        () => true,
        () => false,
      );
    expect(movedBack).toBe(false);
    lying = false;
    const back = await swarm.until('alice back under mit once it is honest', () => !onSource(), 30_000);
    expect(swarm.clock.now() - firstLie).toBeGreaterThanOrEqual(30_000);
    expect(back).toBeLessThan(30_000);
    await play(swarm, alice, video, 1, 3);
    expect(alice.link!.describe()).toMatchObject({ name: 'mit' });
  });
});
