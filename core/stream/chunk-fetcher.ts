import type { ChunkStorage } from '../store/chunk-storage.js';
import type { Transport } from '../net/transport.js';
import type { PeerHealth } from '../net/peer-health.js';
import type { ChunkOrigin } from '../shared/api-types.js';
import type { Manifest, SegmentRef } from '../shared/manifest.js';
import {
  INIT_INDEX,
  chunkKey,
  describeSegment,
  missingSegmentReason,
  segmentRef,
} from '../shared/segments.js';
import type { PeerRef } from '../protocol/messages.js';
import type { Logger } from '../util/logger.js';
import { HolderCache } from './holder-cache.js';
import { HolderLookup } from './holder-lookup.js';
import { OriginLedger } from './origin-ledger.js';
import { isSilence } from './silence.js';
import {
  PeerStreamerError,
  askedPath,
  errorMessage,
  isPeerStreamerError,
  videoNotInSwarm,
} from '../util/errors.js';
import { sha256HexAsync } from '../util/hash.js';
import { systemClock, type Clock } from '../util/clock.js';

/** The master this node currently uses, as the link to it reports it. */
export interface UpstreamView {
  /** Null while not registered anywhere (a source, or a child still looking for its master). */
  current(): { name: string; address: string; isSource: boolean } | null;
  /** Tells the link its master did not answer, so it can fail over to the supermaster. */
  masterFailed(address: string, reason: string): void;
  /** Resolves with the master once registered somewhere (after a failover), or null after the wait. */
  waitForMaster(timeoutMs: number): Promise<{ name: string; address: string; isSource: boolean } | null>;
}

/**
 * What the fetcher tells its owner about its traffic: the fetcher's own interface, so core/stream
 * does not reach into core/node (a node's NodeCounters is one implementation).
 */
export interface FetchCounters {
  /** Once per chunk arriving from the network, and once per cache hit a consumer reads (`local`). */
  fetched(origin: ChunkOrigin, bytes: number): void;
  /** Chunks that arrived with bytes not matching the manifest's sha256. */
  corruptChunks: number;
  /** Times a fetch moved from a failed master to the next one. */
  failovers: number;
}

export interface FetcherOptions {
  selfName: string;
  /**
   * How others reach this node: named in "no video X in this swarm" so the reader can list it there.
   * Read when needed, because a node started on port 0 learns its port only once it is bound.
   */
  selfAddress?: () => string;
  store: ChunkStorage;
  transport: Transport;
  upstream: UpstreamView;
  health: PeerHealth;
  counters: FetchCounters;
  logger: Logger;
  /** How long one peer may take for one chunk before the next holder is tried. */
  peerTimeoutMs?: number;
  /** How long the master may take (it may itself fetch from above). */
  masterTimeoutMs?: number;
  queryTimeoutMs?: number;
  /** At most this many peers are tried for one chunk before going to the master. */
  maxPeerAttempts?: number;
  holderCache?: HolderCache;
  /** False for a source: nothing to ask and nothing to wait for. */
  hasUpstream?: boolean;
  /** Times peers' answers. Default: the system clock. */
  clock?: Clock;
  /**
   * sha256 of a chunk, as lower-case hex. Default: in the thread pool (sha256HexAsync); a run in
   * virtual time hashes on the event loop instead, since a thread-pool job ends outside its clock.
   */
  hash?: (bytes: Uint8Array) => Promise<string>;
}

export interface FetchedChunk {
  bytes: Buffer;
  origin: ChunkOrigin;
}

/**
 * Finds one chunk: the local store, then the peers the master lists, then the master itself (which
 * fetches from its own master if needed). Every chunk is checked against the manifest's sha256 before
 * it is stored or handed out; a peer that fails, times out or sends bad bytes is skipped and counted.
 * Concurrent requests for the same chunk share one fetch.
 */
export class ChunkFetcher {
  private readonly inFlight = new Map<string, Promise<FetchedChunk>>();
  private readonly origins: OriginLedger;
  private readonly lookup: HolderLookup;
  private readonly manifests = new Map<string, Promise<Manifest>>();
  readonly holders: HolderCache;
  private readonly peerTimeoutMs: number;
  private readonly masterTimeoutMs: number;
  private readonly maxPeerAttempts: number;
  private readonly clock: Clock;
  private readonly hash: (bytes: Uint8Array) => Promise<string>;

  constructor(private readonly options: FetcherOptions) {
    this.clock = options.clock ?? systemClock;
    this.hash = options.hash ?? sha256HexAsync;
    this.holders = options.holderCache ?? new HolderCache();
    this.peerTimeoutMs = options.peerTimeoutMs ?? 1_500;
    this.masterTimeoutMs = options.masterTimeoutMs ?? 3_000;
    this.maxPeerAttempts = options.maxPeerAttempts ?? 3;
    this.origins = new OriginLedger(options.counters);
    options.store.on('chunk-removed', ({ video, index }) => this.origins.evicted(chunkKey(video, index)));
    this.lookup = new HolderLookup({
      cache: this.holders,
      transport: options.transport,
      upstream: options.upstream,
      counters: options.counters,
      logger: options.logger,
      selfName: options.selfName,
      queryTimeoutMs: options.queryTimeoutMs ?? 1_000,
    });
  }

  /**
   * The manifest of `video`: from the store, else from the master (then kept in the store). A
   * manifest fetched from above means chunks of the video are asked for next, from its start: the
   * holders of the init segment and the first chunks are asked for at the same time, so that a cold
   * start waits for one round trip to the master, not two in turn (manifest, then holders), at each
   * level of the tree.
   */
  async manifest(video: string): Promise<Manifest> {
    const stored = this.options.store.getManifest(video);
    if (stored) return stored;
    let pending = this.manifests.get(video);
    if (!pending) {
      pending = this.fetchManifest(video).finally(() => this.manifests.delete(video));
      this.manifests.set(video, pending);
      if (this.holders.get(video, -1) === undefined) void this.lookup.query(video, -1);
    }
    return pending;
  }

  /**
   * Chunk `index` of `video`, or the init segment for index -1.
   *
   * Bytes by origin: bytes that cross the network are counted once, by their real origin, when they
   * arrive, whoever asked (a player, a child, read-ahead), so the counters equal the peer table. A
   * consumer (the default) that reads a chunk from the store counts it as local, unless the chunk
   * arrived over the network for background work and this is its first use: then it was counted on
   * arrival, and the consumer is told that origin. `background` fetches (read-ahead, library
   * prefetch) only bring chunks in.
   */
  async fetch(
    video: string,
    index: number,
    signal?: AbortSignal,
    options: { background?: boolean } = {},
  ): Promise<FetchedChunk> {
    const key = chunkKey(video, index);
    let pending = this.inFlight.get(key);
    if (!pending) {
      const attempt = this.fetchOnce(video, index, signal);
      pending = attempt.then((result) => result.chunk);
      // Registered before any caller awaits `pending`, so the arrival is recorded before it is used.
      pending.then(
        (chunk) => this.origins.arrived(key, chunk),
        () => undefined,
      );
      this.inFlight.set(key, pending);
      // The entry stays until the chunk is also in the store, so nobody fetches it twice meanwhile.
      void attempt
        .then((result) => result.stored)
        .catch(() => undefined)
        .finally(() => this.inFlight.delete(key));
    }
    const chunk = await pending;
    return options.background === true ? chunk : this.origins.used(key, chunk);
  }

  /** True when the chunk is in the store, or on its way there (fetched, or being stored). */
  holdsOrFetching(video: string, index: number): boolean {
    return this.inFlight.has(chunkKey(video, index)) || this.options.store.hasChunk(video, index);
  }

  private async fetchOnce(
    video: string,
    index: number,
    signal?: AbortSignal,
  ): Promise<{ chunk: FetchedChunk; stored: Promise<void> }> {
    const { store } = this.options;
    // The store checks sizes against its own manifest, so a local hit needs no manifest lookup.
    const local = index === INIT_INDEX ? await store.getInit(video) : await store.getChunk(video, index);
    if (local) return { chunk: { bytes: local, origin: 'local' }, stored: Promise.resolve() };
    if (!this.hasUpstreamAtAll) {
      expectedRef(await this.manifest(video), index);
      throw new PeerStreamerError(
        'CHUNK_NOT_FOUND',
        `${describeChunk(video, index)} is not in this node's store and it has no master to ask. Add the video to this source, or start the node with --master.`,
        { video, index },
      );
    }
    // On a cold path each is a round trip up the tree, so nothing waits for the manifest that need
    // not: the holders are asked for at once, and the chunk too once they are known; its bytes are
    // checked against the manifest when both are here (tryPeer).
    const manifest = this.manifest(video);
    manifest.catch(() => undefined);
    const holders = await this.rankedHolders(video, index);
    for (const peer of holders) {
      signal?.throwIfAborted();
      const bytes = await this.tryPeer(peer, video, index, manifest, false, this.peerTimeoutMs, signal);
      if (bytes) return this.keep(video, index, bytes, 'peer');
    }
    return this.fromMaster(video, index, manifest, signal);
  }

  private async fromMaster(
    video: string,
    index: number,
    manifest: Promise<Manifest>,
    signal?: AbortSignal,
  ): Promise<{ chunk: FetchedChunk; stored: Promise<void> }> {
    // Two rounds: the first master may fail and hand over to the supermaster within this fetch.
    for (let round = 0; round < 2; round++) {
      const master = await this.upstream();
      if (!master) break;
      const bytes = await this.tryPeer(master, video, index, manifest, true, this.masterTimeoutMs, signal);
      if (bytes) return this.keep(video, index, bytes, master.isSource ? 'source' : 'master');
    }
    // A chunk the video does not have is that, not an unreachable master.
    expectedRef(await manifest, index);
    throw new PeerStreamerError(
      'UNREACHABLE',
      `no peer and no master could supply ${describeChunk(video, index)}. Check that the master is running; the node keeps retrying.`,
      { video, index },
    );
  }

  /**
   * Asks one peer (or the master) for the chunk. The request may leave before the manifest is here;
   * whatever the answer, it is judged only once the manifest is: an index the video does not have
   * throws CHUNK_NOT_FOUND (nobody's fault), and bytes are kept only when they match its sha256.
   */
  private async tryPeer(
    peer: PeerRef,
    video: string,
    index: number,
    manifest: Promise<Manifest>,
    isMaster: boolean,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Buffer | null> {
    const { transport, health, counters, logger, selfName } = this.options;
    const started = this.clock.now();
    health.started(peer.address, peer.name);
    let body: Buffer | undefined;
    let latencyMs: number;
    try {
      ({ body } = await transport.request(
        peer.address,
        { type: 'get', video, index, fetchUpstream: isMaster, name: selfName },
        { timeoutMs, ...(signal ? { signal } : {}) },
      ));
      // Timed before hashing: the peer's answer, not this node's CPU. A master's answer may include
      // fetching from above, so only a peer's (served from its store) is a round-trip sample.
      latencyMs = this.clock.now() - started;
    } catch (error) {
      expectedRef(await manifest, index);
      health.failed(peer.address);
      if (signal?.aborted) throw error;
      const code = isPeerStreamerError(error) ? error.code : 'INTERNAL';
      if (isMaster && isSilence(error)) {
        counters.failovers += 1;
        this.options.upstream.masterFailed(peer.address, errorMessage(error));
      } else if (!isMaster) {
        this.holders.forgetAddress(peer.address);
      }
      logger.debug({ peer: peer.name, video, index, code }, `fetch failed: ${errorMessage(error)}`);
      return null;
    }
    const expected = expectedRef(await manifest, index);
    const bytes = body ?? Buffer.alloc(0);
    if (bytes.length !== expected.size || (await this.hash(bytes)) !== expected.sha256) {
      counters.corruptChunks += 1;
      health.failed(peer.address);
      this.holders.forgetAddress(peer.address);
      logger.warn(
        { peer: peer.name, address: peer.address, video, index, code: 'INVALID_CHECKSUM' },
        'peer sent bytes that do not match the manifest; fetching elsewhere',
      );
      return null;
    }
    health.succeeded(peer.address, isMaster ? null : latencyMs, bytes.length);
    return bytes;
  }

  private async rankedHolders(video: string, index: number): Promise<PeerRef[]> {
    const holders = await this.lookup.holdersOf(video, index);
    const { health, selfName } = this.options;
    // A peer that keeps failing is skipped outright: the master is always there as the last resort.
    const usable = holders.filter((holder) => holder.name !== selfName && !health.avoided(holder.address));
    return health.rank(usable).slice(0, this.maxPeerAttempts);
  }

  /**
   * Hands the verified bytes out at once and stores them in the background: waiting for the write
   * and fsync at every hop would put two fsyncs between the source and a cold viewer.
   */
  private keep(
    video: string,
    index: number,
    bytes: Buffer,
    origin: ChunkOrigin,
  ): { chunk: FetchedChunk; stored: Promise<void> } {
    const { store, logger } = this.options;
    const stored = (
      index === INIT_INDEX ? store.putInit(video, bytes) : store.putChunk(video, index, bytes)
    ).catch((error: unknown) => {
      // A full disk must not stop playback: the chunk is verified, so it is handed out uncached.
      logger.warn(
        { video, index, code: isPeerStreamerError(error) ? error.code : undefined },
        errorMessage(error),
      );
    });
    return { chunk: { bytes, origin }, stored };
  }

  private async fetchManifest(video: string): Promise<Manifest> {
    for (let round = 0; round < 2; round++) {
      const master = await this.upstream();
      if (!master) break;
      try {
        const { reply } = await this.options.transport.request(
          master.address,
          { type: 'get-manifest', video },
          { timeoutMs: this.masterTimeoutMs },
        );
        this.options.store.putManifest(reply.manifest);
        return reply.manifest;
      } catch (error) {
        if (isPeerStreamerError(error, 'VIDEO_NOT_FOUND')) {
          // Older peers send no path: then all we know is that our master said no.
          const above = askedPath(error);
          throw this.notInSwarm(video, above.length > 0 ? above : [master.name]);
        }
        if (!isSilence(error)) throw error;
        this.options.counters.failovers += 1;
        this.options.upstream.masterFailed(master.address, errorMessage(error));
      }
    }
    if (this.options.upstream.current() === null && !this.hasUpstreamAtAll) throw this.notInSwarm(video, []);
    throw new PeerStreamerError(
      'UNREACHABLE',
      `neither the master nor the supermaster answered for the manifest of ${JSON.stringify(video)}; the node keeps retrying.`,
      { video },
    );
  }

  /** This node and the nodes above it that were asked, as one sentence that a reply carries on down. */
  private notInSwarm(video: string, above: readonly string[]): PeerStreamerError {
    return videoNotInSwarm(video, [this.options.selfName, ...above], this.options.selfAddress?.());
  }

  /** A source has no upstream at all; a child may be between masters for a moment. */
  private get hasUpstreamAtAll(): boolean {
    return this.options.hasUpstream ?? true;
  }

  /** The master in use, waiting out a failover in progress (bounded by the master timeout). */
  private async upstream(): Promise<{ name: string; address: string; isSource: boolean } | null> {
    if (!this.hasUpstreamAtAll) return null;
    return (
      this.options.upstream.current() ?? (await this.options.upstream.waitForMaster(this.masterTimeoutMs))
    );
  }
}

function expectedRef(manifest: Manifest, index: number): SegmentRef {
  const ref = segmentRef(manifest, index);
  if (ref === undefined) {
    throw new PeerStreamerError('CHUNK_NOT_FOUND', `video ${missingSegmentReason(manifest, index)}`, {
      video: manifest.name,
      index,
    });
  }
  return ref;
}

function describeChunk(video: string, index: number): string {
  return `${describeSegment(index)} of ${JSON.stringify(video)}`;
}
