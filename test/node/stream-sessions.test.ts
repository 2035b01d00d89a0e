/**
 * Play-client streams end when their play does: the last chunk handed out, an `end-stream`, a client
 * whose connection is gone, or one gone quiet. Real store in a temp dir, real ChunkFetcher; the
 * node-level cases run a real source node and real PeerClients over ZeroMQ.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { StreamSessions } from '../../core/node/stream-sessions.js';
import { ChunkFetcher } from '../../core/stream/chunk-fetcher.js';
import { PeerHealth } from '../../core/net/peer-health.js';
import { NodeCounters } from '../../core/node/node-counters.js';
import type { PeerNode } from '../../core/node/peer-node.js';
import { PeerClient } from '../../core/net/client.js';
import { playStream } from '../../core/stream/play-client.js';
import type { ChunkStore } from '../../core/store/chunk-store.js';
import { silentLogger } from '../../core/util/logger.js';
import { ingest, makeVideo, openStore } from '../store/helpers.js';
import { sourceStoreDir, startNode } from './in-process.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';
import { waitFor } from '../helpers/wait.js';
import { trustOnFirstUse } from '../helpers/trust.js';
import { storedManifestDigest } from '../../core/trust/manifest-digests.js';
import { storeWindowedLive, windowedLive } from '../helpers/windowed-live.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  cleanupTempDirs();
});

/** The video every session here plays: 20 chunks of 2 s, so the default 20 s read-ahead is 10 chunks. */
const movie = makeVideo('movie', 20);
const chunks = movie.manifest.chunks;

/** A store holding `movie` unpinned, so every pin seen is a stream's. */
async function storeWithVideo(): Promise<ChunkStore> {
  const store = await openStore(tempDir('sessions'));
  await ingest(store, movie, false);
  cleanups.push(() => store.close());
  return store;
}

function sessionsOver(store: ChunkStore, options: { idleMs?: number; stuckMs?: number } = {}) {
  const client = new PeerClient();
  cleanups.push(() => client.close());
  const fetcher = new ChunkFetcher({
    selfName: 'src',
    store,
    manifestDigestOf: (video) => storedManifestDigest(store, video),
    manifestTrust: trustOnFirstUse(),
    transport: client,
    upstream: { current: () => null, masterFailed: () => undefined, waitForMaster: async () => null },
    hasUpstream: false,
    health: new PeerHealth(),
    counters: new NodeCounters(),
    logger: silentLogger(),
  });
  const sessions = new StreamSessions(fetcher, store, options);
  cleanups.push(() => sessions.close());
  return sessions;
}

const streamPins = (store: ChunkStore): number => store.stats().pinnedChunks;

describe('StreamSessions', () => {
  it('requests sent at once share one stream, which ends when its last chunk is handed out', async () => {
    const store = await storeWithVideo();
    const sessions = sessionsOver(store);
    const first = await Promise.all(
      [16, 17, 18, 19].map((i) => sessions.get('peer', 's', 'movie', i, chunks)),
    );
    expect(first.map((chunk) => chunk.bytes.length)).toEqual([1000, 1000, 1000, 1000]);
    expect(sessions.active).toBe(0);
    await waitFor(() => streamPins(store) === 0, 'no stream pins left');
  });

  it('counts a stream while it plays, and ends it on end-stream, releasing its read-ahead', async () => {
    const store = await storeWithVideo();
    const sessions = sessionsOver(store);
    await sessions.get('peer', 's', 'movie', 0, chunks);
    expect(sessions.active).toBe(1);
    await waitFor(() => streamPins(store) >= 5, 'read-ahead pinned');
    expect(sessions.end('other-peer', 's')).toBe(false);
    expect(sessions.end('peer', 'other-stream')).toBe(false);
    expect(sessions.active).toBe(1);
    expect(sessions.end('peer', 's')).toBe(true);
    expect(sessions.active).toBe(0);
    await waitFor(() => streamPins(store) === 0, 'read-ahead released');
    // The same streamId opens again where the client asks: ending a stream never strands a client.
    expect((await sessions.get('peer', 's', 'movie', 5, chunks)).bytes.length).toBe(1000);
    expect(sessions.active).toBe(1);
  });

  it('ends every stream of a connection that is gone, and only those', async () => {
    const store = await storeWithVideo();
    const sessions = sessionsOver(store);
    await sessions.get('gone', 'a', 'movie', 0, chunks);
    await sessions.get('gone', 'b', 'movie', 3, chunks);
    await sessions.get('still-here', 'a', 'movie', 0, chunks);
    expect(sessions.closePeer('gone', 'the client disconnected')).toBe(2);
    expect(sessions.active).toBe(1);
    expect(sessions.closePeer('gone', 'again')).toBe(0);
  });

  it('ends a stream gone quiet, but not one answering a slow request', async () => {
    const store = await storeWithVideo();
    const sessions = sessionsOver(store, { idleMs: 150, stuckMs: 600 });
    await sessions.get('quiet', 's', 'movie', 0, chunks);
    await sessions.get('stuck', 's', 'movie', 0, chunks);
    // A request far ahead waits for chunks 1-4 that this client never asks for: stuck, not idle.
    const stuck = sessions.get('stuck', 's', 'movie', 5, chunks);
    stuck.catch(() => undefined);
    const quietSince = Date.now();
    await waitFor(() => sessions.active === 1, 'the quiet stream closed', 5_000);
    expect(Date.now() - quietSince).toBeLessThan(600);
    await expect(stuck).rejects.toMatchObject({ code: 'UNREACHABLE' });
    expect(sessions.active).toBe(0);
    await waitFor(() => streamPins(store) === 0, 'no stream pins left');
  });

  it('streams a live stream whose window has slid (chunks 40-59) by index, and ends at its last', async () => {
    const store = await storeWithVideo();
    const live = windowedLive('cam');
    await storeWindowedLive(store, live);
    store.pinVideo('cam', false);
    const sessions = sessionsOver(store);
    const listed = live.manifest.chunks;
    const got = await Promise.all([45, 46, 47].map((i) => sessions.get('peer', 's', 'cam', i, listed)));
    expect(got.map((chunk) => chunk.bytes)).toEqual([45, 46, 47].map((i) => live.chunkBytes(i)));
    expect(sessions.active).toBe(1);
    for (let index = 48; index < 60; index++) await sessions.get('peer', 's', 'cam', index, listed);
    expect(sessions.active).toBe(0);
    await waitFor(() => streamPins(store) === 0, 'no stream pins left');
  });

  it('refuses a request behind the position or for another video, without ending the stream', async () => {
    const store = await storeWithVideo();
    const sessions = sessionsOver(store);
    await sessions.get('peer', 's', 'movie', 2, chunks);
    await expect(sessions.get('peer', 's', 'movie', 1, chunks)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/behind this stream's position \(3\)/),
    });
    await expect(sessions.get('peer', 's', 'other', 3, chunks)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(sessions.active).toBe(1);
  });
});

describe('a node’s streamsActive', () => {
  async function startSource(uploadBytesPerSecond?: number): Promise<PeerNode> {
    const node = await startNode({
      name: 'src',
      store: await sourceStoreDir(),
      ...(uploadBytesPerSecond ? { uploadBytesPerSecond } : {}),
    });
    cleanups.push(() => node.stop());
    return node;
  }

  function client(): PeerClient {
    const made = new PeerClient({ timeoutMs: 5_000 });
    cleanups.push(() => made.close());
    return made;
  }

  it('is 0 again after plays that end, and after one whose consumer went away early', async () => {
    const node = await startSource();
    const viewers = [client(), client(), client()];
    const plays = viewers.map((viewer, i) =>
      playStream(viewer, node.address, 'movie', new PassThrough().resume(), { streamId: `play-${i}` }),
    );
    expect((await Promise.all(plays)).map((result) => result.chunks)).toEqual([20, 20, 20]);
    expect(node.stats().streamsActive).toBe(0);

    let written = 0;
    const early = await playStream(client(), node.address, 'movie', new PassThrough().resume(), {
      streamId: 'early',
      onChunk: () => (written += 1),
      stopped: () => written >= 3,
    });
    expect(early.chunks).toBe(20);
    expect(written).toBe(3);
    expect(node.stats().streamsActive).toBe(0);
  });

  it('is 0 again once a client vanishes mid-stream (its replies cannot be routed)', async () => {
    // Throttled, so requests are waiting at the node when the client goes.
    const node = await startSource(20_000);
    const viewer = client();
    let received = 0;
    const play = playStream(viewer, node.address, 'movie', new PassThrough().resume(), {
      streamId: 'vanishing',
      onChunk: () => (received += 1),
    });
    play.catch(() => undefined);
    await waitFor(() => received >= 2, 'two chunks played');
    expect(node.stats().streamsActive).toBe(1);
    await viewer.close();
    await waitFor(() => node.stats().streamsActive === 0, 'the stream ended', 5_000);
    expect(node.server.counters().unroutable).toBeGreaterThan(0);
  });

  it('end-stream ends only the asking connection’s stream of that id', async () => {
    const node = await startSource();
    const viewer = client();
    const other = client();
    const get = { type: 'get', video: 'movie', index: 0, fetchUpstream: true, streamId: 'x' } as const;
    await viewer.request(node.address, get);
    expect(node.stats().streamsActive).toBe(1);
    const ended = async (who: PeerClient, streamId: string): Promise<string> =>
      (await who.request(node.address, { type: 'end-stream', streamId })).reply.type;
    expect(await ended(viewer, 'never-opened')).toBe('end-stream-ok');
    expect(await ended(other, 'x')).toBe('end-stream-ok');
    expect(node.stats().streamsActive).toBe(1);
    expect(await ended(viewer, 'x')).toBe('end-stream-ok');
    expect(node.stats().streamsActive).toBe(0);
  });
});
