import type { Transport } from '../net/transport.js';
import type { PeerRef } from '../protocol/messages.js';
import { chunkKey } from '../shared/segments.js';
import { errorMessage, isPeerStreamerError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { FetchCounters } from './fetcher-options.js';
import type { UpstreamView } from './upstream-view.js';
import type { HolderCache } from './holder-cache.js';
import { isSilence } from './silence.js';

export interface HolderLookupOptions {
  cache: HolderCache;
  transport: Transport;
  upstream: UpstreamView;
  counters: FetchCounters;
  logger: Logger;
  /** Sent with each query, so the master leaves this node out of its own answer. */
  selfName: string;
  /** This node's manifest digest of a video (undefined: no manifest yet), sent with each query. */
  digestOf: (video: string) => string | undefined;
  queryTimeoutMs: number;
}

/**
 * Who holds a chunk, as this node's master says: answers are cached a batch at a time, and a query
 * in flight is shared by every chunk it covers. A master that does not answer at all is reported to
 * the link, which fails over.
 */
export class HolderLookup {
  /** Holder queries in flight, by first index, video and the digest asked with. */
  private readonly queries = new Map<string, { video: string; from: number; done: Promise<PeerRef[]> }>();

  constructor(private readonly options: HolderLookupOptions) {}

  /** The holders of chunk `index` of `video` (unranked), from the cache or the master. */
  async holdersOf(video: string, index: number): Promise<PeerRef[]> {
    const { cache, digestOf } = this.options;
    // Read at each lookup: the manifest arrives during a cold start, and may be replaced later.
    const digest = digestOf(video);
    const cached = cache.get(video, index, digest);
    if (cached !== undefined) return cached;
    // A query already asked (with the manifest, or for a neighbouring chunk) may cover this one; an
    // answer it brings for another manifest than this node's is not used (HolderCache).
    const covering = [...this.queries.values()].find(
      (query) => query.video === video && index >= query.from && index < query.from + cache.batch,
    );
    if (covering !== undefined) await covering.done;
    return cache.get(video, index, digest) ?? (await this.query(video, index, digest));
  }

  /**
   * Asks the master who holds chunks `from` .. `from + batch - 1` of the content `digest` names (by
   * default, the manifest this node holds; without one, the master's: see MasterService's query
   * handler); shared while in flight.
   */
  query(video: string, from: number, digest = this.options.digestOf(video)): Promise<PeerRef[]> {
    const key = `${chunkKey(video, from)}/${digest ?? ''}`;
    const pending = this.queries.get(key);
    if (pending !== undefined) return pending.done;
    const done = this.ask(video, from, digest).finally(() => this.queries.delete(key));
    this.queries.set(key, { video, from, done });
    return done;
  }

  private async ask(video: string, index: number, digest: string | undefined): Promise<PeerRef[]> {
    const { cache, upstream, transport, counters, logger } = this.options;
    const master = upstream.current();
    if (!master) return [];
    // Not clamped to the video's length: that would wait for the manifest, and a master answers
    // indexes past the end with empty lists.
    try {
      const { reply } = await transport.request(
        master.address,
        {
          type: 'query',
          name: this.options.selfName,
          video,
          ...(digest === undefined ? {} : { digest }),
          from: index,
          count: cache.batch,
        },
        { timeoutMs: this.options.queryTimeoutMs },
      );
      // PeerClient refused an answer naming another digest than the one asked (match.ts).
      cache.set(video, reply.from, reply.holders, reply.digest);
      return reply.holders[0] ?? [];
    } catch (error) {
      const code = isPeerStreamerError(error) ? error.code : 'INTERNAL';
      if (isSilence(error)) {
        counters.failovers += 1;
        upstream.masterFailed(master.address, errorMessage(error));
      }
      logger.debug({ video, index, code }, `query failed: ${errorMessage(error)}`);
      return [];
    }
  }
}
