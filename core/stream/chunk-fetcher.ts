import { MAX_DUE_IN_MS } from '../protocol/limits.js';
import type { ChunkOrigin } from '../shared/api-types.js';
import type { Manifest } from '../shared/manifest.js';
import { INIT_INDEX, chunkKey, describeSegment } from '../shared/segments.js';
import type { PeerRef } from '../protocol/messages.js';
import { PeerStreamerError, errorMessage, isPeerStreamerError } from '../util/errors.js';
import { ChunkRequester, expectedRef } from './chunk-request.js';
import type { FetcherOptions } from './fetcher-options.js';
import { HolderCache } from './holder-cache.js';
import { HolderLookup } from './holder-lookup.js';
import { ManifestFetcher } from './manifest-fetcher.js';
import { OriginLedger } from './origin-ledger.js';
import { masterInUse } from './upstream-view.js';
import { hedgedRace } from './hedged-race.js';
import { systemClock, type Clock } from '../util/clock.js';

export interface FetchedChunk {
  bytes: Buffer;
  origin: ChunkOrigin;
}

/**
 * Finds one chunk: the local store, then the peers the master lists, then the master itself (which
 * fetches from its own master if needed). Every chunk is checked against the manifest's sha256 before
 * it is stored or handed out; a peer that fails, times out or sends bad bytes is skipped and counted.
 * Concurrent requests for the same chunk share one fetch.
 *
 * Its parts: ManifestFetcher (manifests), HolderLookup and HolderCache (who holds what),
 * ChunkRequester (one request and its verdict), OriginLedger (bytes by origin).
 */
export class ChunkFetcher {
  private readonly inFlight = new Map<string, Promise<FetchedChunk>>();
  private readonly origins: OriginLedger;
  private readonly lookup: HolderLookup;
  private readonly manifests: ManifestFetcher;
  private readonly requester: ChunkRequester;
  readonly holders: HolderCache;
  private readonly peerTimeoutMs: number;
  private readonly masterTimeoutMs: number;
  private readonly maxPeerAttempts: number;
  private readonly minHedgeMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: FetcherOptions) {
    this.holders = options.holderCache ?? new HolderCache();
    this.peerTimeoutMs = options.peerTimeoutMs ?? 1_500;
    this.masterTimeoutMs = options.masterTimeoutMs ?? 3_000;
    this.maxPeerAttempts = options.maxPeerAttempts ?? 3;
    this.minHedgeMs = options.hedgeMs ?? 300;
    this.clock = options.clock ?? systemClock;
    this.origins = new OriginLedger(options.counters);
    options.store.on('chunk-removed', ({ video, index }) => this.origins.evicted(chunkKey(video, index)));
    this.lookup = new HolderLookup({
      cache: this.holders,
      transport: options.transport,
      upstream: options.upstream,
      counters: options.counters,
      logger: options.logger,
      selfName: options.selfName,
      digestOf: options.manifestDigestOf,
      queryTimeoutMs: options.queryTimeoutMs ?? 1_000,
    });
    this.manifests = new ManifestFetcher(options, this.holders, this.lookup);
    this.requester = new ChunkRequester(options, this.holders);
  }

  /**
   * The manifest of `video`: from the store, else from the master (then kept in the store), with
   * the holders of the video's start asked for at the same time (ManifestFetcher).
   */
  manifest(video: string): Promise<Manifest> {
    return this.manifests.get(video);
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
   *
   * `dueInMs`: how soon the chunk is needed (0, the default: a reader waits on it), passed to the
   * peers asked, which send what is due soonest first. A fetch already on its way keeps the due time
   * of whoever started it.
   */
  async fetch(
    video: string,
    index: number,
    signal?: AbortSignal,
    options: { background?: boolean; dueInMs?: number } = {},
  ): Promise<FetchedChunk> {
    const key = chunkKey(video, index);
    let pending = this.inFlight.get(key);
    if (!pending) {
      const attempt = this.fetchOnce(video, index, signal, options.dueInMs);
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
    dueInMs?: number,
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
    // checked against the manifest when both are here (ChunkRequester).
    const manifest = this.manifest(video);
    manifest.catch(() => undefined);
    const holders = await this.rankedHolders(video, index);
    // Counted down from now: time spent finding holders or failing over is time the reader waited.
    const dueAt = this.clock.now() + (dueInMs ?? 0);
    const due = (): number | undefined =>
      dueInMs === undefined
        ? undefined
        : Math.min(MAX_DUE_IN_MS, Math.max(0, Math.round(dueAt - this.clock.now())));
    const won = await hedgedRace(
      holders,
      async (peer, raced) => {
        const bytes = await this.requester.ask(
          peer,
          video,
          index,
          manifest,
          false,
          this.peerTimeoutMs,
          raced,
          due(),
        );
        return bytes ? { bytes, origin: 'peer' as const } : null;
      },
      (raced) => this.fromMaster(video, index, manifest, raced, due),
      {
        hedgeMs: this.hedgeMs(holders[0]),
        clock: this.clock,
        onOvertaken: (peer) => this.options.health.overtaken(peer.address),
        ...(signal ? { signal } : {}),
      },
    );
    return this.keep(video, index, won.bytes, won.origin);
  }

  /**
   * How long the first holder has before the master is asked too: twice what its answers have taken
   * (a chunk's transfer included), at least `hedgeMs` and at most a peer timeout, so a holder known
   * to be quick is given up on quickly and a slow uplink is not hedged against on every chunk.
   */
  private hedgeMs(first: PeerRef | undefined): number {
    const seen = first === undefined ? null : (this.options.health.get(first.address)?.rttMs ?? null);
    const adaptive = seen === null ? this.minHedgeMs : Math.max(this.minHedgeMs, 2 * seen);
    return Math.min(adaptive, this.peerTimeoutMs);
  }

  private async fromMaster(
    video: string,
    index: number,
    manifest: Promise<Manifest>,
    signal?: AbortSignal,
    due: () => number | undefined = () => undefined,
  ): Promise<{ bytes: Buffer; origin: ChunkOrigin }> {
    // Two rounds: the first master may fail and hand over to the supermaster within this fetch.
    for (let round = 0; round < 2; round++) {
      const master = await masterInUse(this.options.upstream, this.hasUpstreamAtAll, this.masterTimeoutMs);
      if (!master) break;
      const bytes = await this.requester.ask(
        master,
        video,
        index,
        manifest,
        true,
        this.masterTimeoutMs,
        signal,
        due(),
      );
      if (bytes) return { bytes, origin: master.isSource ? 'source' : 'master' };
    }
    // A chunk the video does not have is that, not an unreachable master.
    expectedRef(await manifest, index);
    throw new PeerStreamerError(
      'UNREACHABLE',
      `no peer and no master could supply ${describeChunk(video, index)}. Check that the master is running; the node keeps retrying.`,
      { video, index },
    );
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

  /** A source has no upstream at all; a child may be between masters for a moment. */
  private get hasUpstreamAtAll(): boolean {
    return this.options.hasUpstream ?? true;
  }
}

function describeChunk(video: string, index: number): string {
  return `${describeSegment(index)} of ${JSON.stringify(video)}`;
}
