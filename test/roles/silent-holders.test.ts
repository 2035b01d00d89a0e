/**
 * The outside tester's worst case for holders: 16 registered holders that never answer a `get`, at
 * both levels (siblings of the level-1 master under the source, and siblings of the viewer under
 * it). Before, playback failed. Every chunk now comes through, byte for byte: each mute costs a
 * hedge once, is banned at its timeout, and the masters serve the rest.
 */
import { describe, expect, it } from 'vitest';
import type { VirtualNode } from '../../core/sim/virtual-swarm.js';
import { publish, tree } from '../helpers/virtual-tree.js';

/** A registered node holding every chunk (so its master lists it everywhere) that never answers `get`. */
async function mute(node: VirtualNode, publishing: () => Promise<void>): Promise<{ asked: () => number }> {
  await publishing();
  let asked = 0;
  node.host.handle('get', () => {
    asked += 1;
    return new Promise<never>(() => undefined);
  });
  return { asked: () => asked };
}

describe('16 silent holders at both levels', () => {
  it('the viewer still plays every chunk byte for byte, each mute tried at most once per asker', async () => {
    const chunks = 30;
    const { swarm, video } = await tree(91, [], chunks);
    const mutes: Array<{ asked: () => number }> = [];
    for (let n = 0; n < 16; n++) {
      const upper = swarm.node(`upper-${n}`, { master: 'source' });
      mutes.push(await mute(upper, () => publish(upper, video)));
      const lower = swarm.node(`lower-${n}`, { master: 'mit', supermaster: 'source' });
      mutes.push(await mute(lower, () => publish(lower, video)));
    }
    const viewer = swarm.node('viewer', { master: 'mit', supermaster: 'source' });
    await swarm.until(
      'every mute is listed as a holder',
      () =>
        swarm.get('source').registry.children().length === 17 &&
        swarm.get('mit').registry.children().length === 17,
      5_000,
    );
    const started = swarm.clock.now();
    const times: number[] = [];
    for (let index = 0; index < chunks; index++) {
      const asked = swarm.clock.now();
      const chunk = await swarm.settle(viewer.fetcher.fetch('movie', index), 60_000);
      expect(chunk.bytes.equals(video.chunks[index]!), `chunk ${index}`).toBe(true);
      times.push(swarm.clock.now() - asked);
    }
    // Every mute was asked at most once by whoever fetched, and once more by its master checking the
    // ban it was reported for (SuspectChecks); then left alone.
    for (const each of mutes) expect(each.asked()).toBeLessThanOrEqual(2);
    expect(mutes.some((each) => each.asked() === 1)).toBe(true);
    // No chunk waited on more than a hedge per level; the whole video well within a minute.
    expect(Math.max(...times)).toBeLessThan(2_000);
    expect(swarm.clock.now() - started).toBeLessThan(60_000);
  });
});
