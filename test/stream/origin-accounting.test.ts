/**
 * "Bytes by origin" against what really crossed the network: a level-2 viewer plays a video through
 * its gateway twice. Its counters must equal its peer table (bytes received from each peer, master
 * and source), count every chunk once however the player's requests and the read-ahead interleave,
 * and a rewatch of the cached video must add only to the local (store) count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeerNode } from '../../core/node/peer-node.js';
import type { MediaManifest } from '../../core/shared/manifest.js';
import { GatewaySwarm, bytesDownByOrigin, play, videoBytes, type Viewer } from './gateway-swarm.js';
import { smallClip } from '../helpers/media-fixtures.js';
import { waitFor } from '../helpers/wait.js';

const swarm = new GatewaySwarm();
let manifest: MediaManifest;
let source: PeerNode;
let level1: PeerNode;
let alice: Viewer;
let bob: Viewer;

const networkOrigins = ['peer', 'master', 'source'] as const;
const held = (node: PeerNode): number => node.store.heldChunks('movie').length;
const count = (): number => manifest.chunks.length;

beforeAll(async () => {
  const manifests = await swarm.sourceWith([{ name: 'movie', file: (await smallClip(20)).path }]);
  manifest = manifests.get('movie')!;
  source = await swarm.start('source');
  level1 = await swarm.start('level1', source);
  alice = await swarm.viewer('alice', level1);
  // Bob's node reads 10 s ahead of what he asks for, half the 20 s clip, so what he watches leaves
  // chunks that only the master has.
  bob = await swarm.viewer('bob', level1, { 'read-ahead': '10s' });
});
afterAll(() => swarm.stop());

describe('bytes by origin on a level-2 viewer', () => {
  it('equal the peer table per origin, count each chunk once, and a rewatch adds only local bytes', async () => {
    // Bob watches the first few seconds, so alice finds some chunks at a sibling and the rest above.
    await play(bob, 'movie', count(), { to: 4 });
    await waitFor(() => {
      const listed = (level1.registry.directory.inventoryOf('bob')['movie'] ?? []).join();
      const holds = bob.node.store
        .heldChunks('movie')
        .map((key) => key.index)
        .sort((a, b) => a - b);
      return holds.length > 4 && listed === holds.join();
    }, 'the master lists what bob holds');

    const first = await play(alice, 'movie', count());
    await waitFor(() => held(alice.node) === count() + 1, 'alice stored every chunk she fetched');
    const afterFirst = alice.node.stats();
    const down = bytesDownByOrigin(afterFirst, source.address);
    for (const origin of networkOrigins) {
      expect(afterFirst.bytesFetched[origin], `${origin} bytes vs the peer table`).toBe(down[origin]);
    }
    expect(afterFirst.bytesFetched.peer).toBeGreaterThan(0);
    expect(afterFirst.bytesFetched.master).toBeGreaterThan(0);
    // Every byte of the video crossed the network exactly once, and nothing was a cache hit yet.
    const network = networkOrigins.reduce((sum, origin) => sum + afterFirst.bytesFetched[origin], 0);
    expect(network).toBe(videoBytes(manifest));
    expect(afterFirst.bytesFetched.local).toBe(0);
    // The player was told the same origins as the counters (the init segment carries no header).
    expect(first.local).toBe(0);
    expect(first.peer + first.master + first.source).toBe(videoBytes(manifest) - manifest.init.size);

    const second = await play(alice, 'movie', count());
    const afterSecond = alice.node.stats();
    for (const origin of networkOrigins) {
      expect(afterSecond.bytesFetched[origin], `${origin} bytes after the rewatch`).toBe(
        afterFirst.bytesFetched[origin],
      );
      expect(bytesDownByOrigin(afterSecond, source.address)[origin]).toBe(down[origin]);
    }
    expect(afterSecond.bytesFetched.local).toBe(videoBytes(manifest));
    expect(second).toEqual({
      local: videoBytes(manifest) - manifest.init.size,
      peer: 0,
      master: 0,
      source: 0,
    });
  });
});
