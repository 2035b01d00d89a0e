import { isLiveManifest } from '../trust/live-signature.js';
import type { PeerContext, RequestRouter } from '../net/handlers.js';
import type { ChunkStorage } from '../store/chunk-storage.js';
import type { ChunkFetcher, FetchedChunk } from '../stream/chunk-fetcher.js';
import type { ChildRegistry } from './child-registry.js';
import type { NodeCounters } from './node-counters.js';
import type { PeerHealth } from '../net/peer-health.js';
import type { StreamSessions } from './stream-sessions.js';
import type { UploadLimiter } from './upload-limiter.js';
import type { IncomingRequestOf } from '../protocol/messages.js';
import type { SwarmLibrary } from './swarm-library.js';
import type { Manifest } from '../shared/manifest.js';
import { PeerStreamerError } from '../util/errors.js';
import { systemClock, type Clock } from '../util/clock.js';
import { INIT_INDEX, describeSegment, missingSegmentReason, segmentRef } from '../shared/segments.js';

export interface ServingOptions {
  server: RequestRouter;
  store: ChunkStorage;
  fetcher: ChunkFetcher;
  registry: ChildRegistry;
  sessions: StreamSessions;
  counters: NodeCounters;
  health: PeerHealth;
  limiter: UploadLimiter;
  /** The swarm's video list, for `list-videos`, and the master's announcements. */
  library: Pick<SwarmLibrary, 'list' | 'hintFromMaster'>;
  /** False while the user paused seeding: only this node's own streams are served. */
  seeding: () => boolean;
  /** A play client was handed a chunk of this video: a view, if it is a live stream (LiveViewers). */
  watched?: (manifest: Manifest) => void;
  /** Time for the relay deadline and the send's due time. Default: the system clock. */
  clock?: Clock;
}

/**
 * How long a child's fetch through this node may take before the child is answered TIMEOUT while the
 * fetch goes on. A child counts its master dead when a request to it goes unanswered for its master
 * timeout (3 s, ChunkFetcher): a master waiting as long on a dead master of its own would be taken for
 * dead too, and its live children would leave it (the multi-host bed: stalls of 4.4-5.9 s). A TIMEOUT
 * reply says "alive, upstream is slow": the child asks again, by then from the chunk in the store.
 */
export const RELAY_ANSWER_MS = 2_000;

/**
 * Serves chunks and video metadata to other nodes and to play clients. A plain `get` is answered from
 * the store only; a child that asks it to fetch upstream (`fetchUpstream`) or a play client's stream may
 * make this node fetch from its own peers and master first.
 */
export class ServingService {
  constructor(private readonly options: ServingOptions) {
    const { server } = options;
    server.handle('get', (request, peer) => this.get(request, peer));
    server.handle('end-stream', (request, peer) => {
      options.sessions.end(peer.peerId, request.streamId);
      return { reply: {} };
    });
    server.handle('list-videos', async () => ({ reply: { videos: await options.library.list() } }));
    server.handle('get-manifest', async (request) => {
      const manifest = await options.fetcher.manifest(request.video);
      const { after } = request;
      if (after === undefined || !isLiveManifest(manifest)) return { reply: { manifest } };
      // A manifest lists a chunk at least: with nothing new, the newest one again.
      const later = manifest.chunks.filter((chunk) => chunk.index > after);
      return {
        reply: { manifest: { ...manifest, chunks: later.length > 0 ? later : manifest.chunks.slice(-1) } },
      };
    });
    // A hint to ask the master again: the list it may carry is not used (see SwarmLibrary).
    server.handle('announce-videos', (request) => {
      if (!options.library.hintFromMaster(request.name)) {
        throw new PeerStreamerError(
          'INVALID_ARGUMENT',
          `announce-videos from ${JSON.stringify(request.name)} refused: this node takes announcements only from its current master.`,
        );
      }
      return { reply: {} };
    });
  }

  /** A child's fetch through this node, answered TIMEOUT after RELAY_ANSWER_MS while it goes on. */
  private relay(
    video: string,
    index: number,
    signal: AbortSignal,
    dueInMs: number | undefined,
  ): Promise<FetchedChunk> {
    // Asked upstream as soon as the child needs it: a child's first chunk goes first there too.
    const fetching = this.options.fetcher.fetch(video, index, signal, {
      ...(dueInMs === undefined ? {} : { dueInMs }),
    });
    return new Promise((resolve, reject) => {
      const timer = (this.options.clock ?? systemClock).after(RELAY_ANSWER_MS, () =>
        reject(
          new PeerStreamerError(
            'TIMEOUT',
            `${describeSegment(index)} of ${JSON.stringify(video)} is still on its way from upstream; ask again.`,
          ),
        ),
      );
      fetching.then(
        (chunk) => {
          timer.cancel();
          resolve(chunk);
        },
        (error: unknown) => {
          timer.cancel();
          reject(error);
        },
      );
    });
  }

  private async get(request: IncomingRequestOf<'get'>, peer: PeerContext) {
    const { store, fetcher, registry, sessions, counters, health, limiter } = this.options;
    const clock = this.options.clock ?? systemClock;
    const askedAt = clock.now();
    const requester = request.name ?? peer.declaredName;
    // A child by its key, not the name it gives: a stranger naming a child gets no child's service
    // (a fetch from upstream, a chunk while seeding is paused).
    const registered = requester === undefined ? undefined : registry.child(requester);
    const isChild =
      registered !== undefined && peer.peerKey !== undefined && registered.nodeId === peer.peerKey;
    if (!this.options.seeding() && !isChild) {
      throw new PeerStreamerError(
        'NOT_SEEDING',
        'this node has paused seeding; ask another holder or the master.',
      );
    }
    const manifest = await fetcher.manifest(request.video);
    const expected = segmentRef(manifest, request.index);
    if (!expected)
      throw new PeerStreamerError('CHUNK_NOT_FOUND', missingSegmentReason(manifest, request.index));
    let chunk: FetchedChunk | undefined;
    if (request.streamId !== undefined && request.index >= 0) {
      chunk = await sessions.get(
        peer.peerId,
        request.streamId,
        request.video,
        request.index,
        manifest.chunks,
      );
      this.options.watched?.(manifest);
    } else if (
      request.fetchUpstream &&
      (isChild || request.streamId !== undefined || isLiveManifest(manifest))
    ) {
      // A live stream's viewer asks for each chunk as it appears, without a stream: a stream's
      // read-ahead covers the chunks listed when it opened, and nothing lies ahead of the live edge.
      if (!isChild) this.options.watched?.(manifest);
      chunk = isChild
        ? await this.relay(request.video, request.index, peer.signal, request.dueInMs)
        : await fetcher.fetch(
            request.video,
            request.index,
            peer.signal,
            request.dueInMs === undefined ? {} : { dueInMs: request.dueInMs },
          );
    } else {
      const bytes =
        request.index === INIT_INDEX
          ? await store.getInit(request.video)
          : await store.getChunk(request.video, request.index);
      if (bytes) chunk = { bytes, origin: 'local' };
    }
    if (!chunk) {
      throw new PeerStreamerError(
        'CHUNK_NOT_FOUND',
        `${describeSegment(request.index)} of ${JSON.stringify(request.video)} is not held here; ask the master for its holders.`,
      );
    }
    // Under an upload limit, what its asker needs soonest goes first (the time spent getting it counts).
    const dueInMs = Math.max(0, (request.dueInMs ?? 0) - (clock.now() - askedAt));
    await limiter.take(chunk.bytes.length, peer.signal, dueInMs);
    counters.served(chunk.bytes.length);
    const child = isChild ? registered : undefined;
    // Play clients are nobody's child and may not listen anywhere: they are keyed by connection.
    health.served(
      child?.address ?? `client:${peer.peerId.slice(0, 8)}`,
      requester ?? 'play client',
      chunk.bytes.length,
    );
    return {
      reply: {
        video: request.video,
        index: request.index,
        size: chunk.bytes.length,
        sha256: expected.sha256,
        origin: chunk.origin,
      },
      body: chunk.bytes,
    };
  }
}
