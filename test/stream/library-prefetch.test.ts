/**
 * The library prefetch on level-2 viewers of a real in-process swarm: listing the library warms the
 * init segment and chunk 0 of every video, within the budget, as ordinary evictable cache entries
 * counted once by origin; a click then plays its start from local bytes; playing gives way at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderStats } from '../../core/cli/commands/stats.js';
import { LibraryPrefetch } from '../../core/stream/library-prefetch.js';
import { NodeBackend } from '../../core/node/node-backend.js';
import type { MediaManifest } from '../../core/shared/manifest.js';
import type { PeerNode } from '../../core/node/peer-node.js';
import { silentLogger } from '../../core/util/logger.js';
import { GatewaySwarm, bytesDownByOrigin, library, play, type Viewer } from './gateway-swarm.js';
import { smallClip } from '../helpers/media-fixtures.js';
import { waitFor } from '../helpers/wait.js';

const swarm = new GatewaySwarm();
const NAMES = ['v1', 'v2', 'v3', 'v4', 'v5', 'v6'];
let manifests: Map<string, MediaManifest>;
let source: PeerNode;
let level1: PeerNode;

const startBytes = (name: string): number => {
  const manifest = manifests.get(name)!;
  return manifest.init.size + manifest.chunks[0]!.size;
};
const networkBytes = (node: PeerNode): number => {
  const fetched = node.stats().bytesFetched;
  return fetched.peer + fetched.master + fetched.source;
};
/** Names whose init segment and chunk 0 the node's store holds (fetches are stored in the background). */
const startsHeld = (node: PeerNode): string[] =>
  NAMES.filter((name) => node.store.hasChunk(name, -1) && node.store.hasChunk(name, 0));
const settled = (viewer: Viewer, videos: number) => (): boolean => {
  const stats = viewer.node.stats().libraryPrefetch;
  return stats.inFlight === 0 && stats.videos === videos && startsHeld(viewer.node).length === videos;
};

beforeAll(async () => {
  const file = (await smallClip(4)).path;
  manifests = await swarm.sourceWith(NAMES.map((name) => ({ name, file })));
  source = await swarm.start('source');
  level1 = await swarm.start('level1', source);
});
afterAll(() => swarm.stop());

describe('library prefetch', () => {
  it('warms the start of every listed video, counted once by origin, and a click plays it from local bytes', async () => {
    const alice = await swarm.viewer('alice', level1);
    expect((await library(alice)).map((entry) => entry.name)).toEqual(NAMES);
    await waitFor(settled(alice, NAMES.length), 'alice warmed every listed start');

    const stats = alice.node.stats();
    const total = NAMES.reduce((sum, name) => sum + startBytes(name), 0);
    expect(stats.libraryPrefetch).toEqual({ videos: NAMES.length, bytes: total, inFlight: 0 });
    for (const name of NAMES) {
      expect(alice.node.store.heldChunks(name).map((key) => key.index)).toEqual([-1, 0]);
    }
    // Ordinary cache entries: nothing pinned.
    expect(alice.node.store.stats().pinnedChunks).toBe(0);
    expect(alice.node.store.listVideos().some((video) => video.pinned)).toBe(false);
    // Counted once, on arrival, by where the bytes came from; the peer table agrees.
    const down = bytesDownByOrigin(stats, source.address);
    for (const origin of ['peer', 'master', 'source'] as const)
      expect(stats.bytesFetched[origin]).toBe(down[origin]);
    expect(networkBytes(alice.node)).toBe(total);
    expect(stats.bytesFetched.local).toBe(0);
    expect(renderStats(stats)).toContain(`library start:  ${NAMES.length} videos prefetched`);

    // The click: init and chunk 0 come from the store, credited to their real origin, not fetched
    // again; the player then asks for chunk 1, which sets off the read-ahead for the rest.
    const manifest = manifests.get('v3')!;
    const first = await play(alice, 'v3', manifest.chunks.length, { to: 2 });
    expect(first.local).toBe(0);
    expect(first.master + first.peer + first.source).toBe(
      manifest.chunks[0]!.size + manifest.chunks[1]!.size,
    );
    // Only the chunks after the start cross the network.
    await waitFor(
      () => alice.node.store.heldChunks('v3').length === 1 + manifest.chunks.length,
      'alice read ahead to the end of v3',
    );
    const rest = manifest.chunks.slice(1).reduce((sum, chunk) => sum + chunk.size, 0);
    expect(networkBytes(alice.node)).toBe(total + rest);
    expect(alice.node.stats().libraryPrefetch).toEqual({
      videos: NAMES.length - 1,
      bytes: total - startBytes('v3'),
      inFlight: 0,
    });

    // Evictable: clearing the cache drops them, and the prefetch stops counting them.
    expect(await alice.node.store.clearCache()).toBeGreaterThan(0);
    expect(alice.node.stats().libraryPrefetch).toEqual({ videos: 0, bytes: 0, inFlight: 0 });
  });

  it('stays within its byte budget, and a budget of 0 turns it off', async () => {
    const budget = Math.floor(startBytes('v1') * 1.5);
    const carol = await swarm.viewer('carol', level1, { 'library-prefetch': String(budget) });
    const dave = await swarm.viewer('dave', level1, { 'library-prefetch': '0' });
    await library(carol);
    await library(dave);
    await waitFor(settled(carol, 1), 'carol warmed what fits');
    const stats = carol.node.stats().libraryPrefetch;
    expect(stats.bytes).toBeLessThanOrEqual(budget);
    expect(carol.node.store.heldChunks().filter((key) => key.index === 0)).toHaveLength(1);
    // Listing again does not go past the budget either.
    await library(carol);
    await waitFor(settled(carol, 1), 'carol is idle');
    // The player's own warm-up is refused what the library prefetch did not bring, and fetches nothing.
    const warmUp = await dave.request('/api/videos/v1/chunks/0', { 'X-PeerStreamer-Purpose': 'prefetch' });
    expect(warmUp.status).toBe(404);
    expect(((await warmUp.json()) as { error: { code: string } }).error.code).toBe('CHUNK_NOT_FOUND');
    expect(dave.node.stats().libraryPrefetch).toEqual({ videos: 0, bytes: 0, inFlight: 0 });
    expect(dave.node.store.heldChunks()).toEqual([]);
    expect(networkBytes(dave.node)).toBe(0);
  });

  it("serves the player's warm-up from what it prefetches, without giving way to it", async () => {
    const frank = await swarm.viewer('frank', level1);
    await library(frank);
    // At once, while most of the queue is still waiting: the last video's start is asked for first.
    const init = await frank.request('/api/videos/v6/init', { 'X-PeerStreamer-Purpose': 'prefetch' });
    const chunk = await frank.request('/api/videos/v6/chunks/0', { 'X-PeerStreamer-Purpose': 'prefetch' });
    expect([init.status, chunk.status]).toEqual([200, 200]);
    expect((await chunk.arrayBuffer()).byteLength).toBe(manifests.get('v6')!.chunks[0]!.size);
    // A part the library prefetch never fetches is refused.
    const later = await frank.request('/api/videos/v6/chunks/1', { 'X-PeerStreamer-Purpose': 'prefetch' });
    expect(later.status).toBe(404);
    // The rest of the queue went on: nothing gave way.
    await waitFor(settled(frank, NAMES.length), 'frank warmed every listed start');
    expect(startsHeld(frank.node)).toEqual(NAMES);
    // The warm-up was the start's first use: credited to its real origin, counted once.
    expect(chunk.headers.get('X-PeerStreamer-Origin')).not.toBe('local');
    expect(networkBytes(frank.node)).toBe(NAMES.reduce((sum, name) => sum + startBytes(name), 0));
  });

  it("is the node's, not a gateway's: another backend on the node does not hide what the first warms", async () => {
    const gina = await swarm.viewer('gina', level1);
    // A second backend on the same node (a second window, a restarted UI) that lists nothing.
    const second = new NodeBackend(gina.node);
    await library(gina);
    await waitFor(() => startsHeld(gina.node).length === NAMES.length, 'gina holds every listed start');
    await waitFor(settled(gina, NAMES.length), 'gina is idle');
    second.close();
    // Closing a backend leaves the node's prefetch and its figures alone.
    const total = NAMES.reduce((sum, name) => sum + startBytes(name), 0);
    expect(gina.node.stats().libraryPrefetch).toEqual({ videos: NAMES.length, bytes: total, inFlight: 0 });
    expect(gina.node.libraryPrefetch.stats()).toEqual(gina.node.stats().libraryPrefetch);
  });

  it('gives way to playback: a video played drops everything still queued', async () => {
    const erin = await swarm.viewer('erin', level1, { 'library-prefetch': '0' });
    const prefetch = new LibraryPrefetch(erin.node.fetcher, erin.node.store, silentLogger(), {
      budgetBytes: 64 * 1024 * 1024,
      concurrency: 2,
    });
    prefetch.listed(
      NAMES.map((name) => ({ name, kind: 'fmp4', chunks: manifests.get(name)!.chunks.length })),
    );
    expect(prefetch.stats().inFlight).toBe(2);
    prefetch.playing('v6');
    await waitFor(
      () => prefetch.stats().inFlight === 0 && startsHeld(erin.node).length === 2,
      'the two prefetches under way finished and were stored',
    );
    expect(prefetch.stats().videos).toBe(2);
    expect(startsHeld(erin.node)).toEqual(['v1', 'v2']);
    expect(erin.node.store.heldChunks().filter((key) => key.index === 0)).toHaveLength(2);
    prefetch.close();
  });
});
