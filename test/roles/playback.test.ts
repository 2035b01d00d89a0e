/**
 * Whole nodes made of the node's roles, in virtual time: a source, a master and viewers, each with
 * its own store, fetcher, stream sessions and serving. The original system's eight scenarios are in
 * original-scenarios.test.ts beside this file.
 */
import { describe, expect, it } from 'vitest';
import { play, tree } from '../helpers/virtual-tree.js';

const CHUNKS = 10;

describe('whole nodes in virtual time', () => {
  it('a master killed mid-stream: the stream completes through the supermaster, and the restarted master gets the viewer back', async () => {
    const { swarm, video } = await tree(54, ['alice']);
    const alice = swarm.get('alice');
    await swarm.settle(alice.fetcher.fetch('movie', 0), 5_000);
    swarm.get('mit').kill();
    expect(await play(swarm, alice, video, 1)).toEqual(Array(CHUNKS - 1).fill('source'));
    swarm.node('mit', { master: 'source' });
    await swarm.until('alice back under mit', () => alice.link!.describe()?.name === 'mit', 5_000);
  });
});
