import type { ChunkFetcher } from './chunk-fetcher.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import { chunkKey, firstIndex } from '../shared/segments.js';
import {
  dueInMs,
  readAheadEnd,
  type ReadAheadPolicy,
  type TimedChunks,
} from '../shared/read-ahead-policy.js';

/**
 * Read-ahead for the local player. The player asks the gateway for one chunk at a time; each ask
 * also warms the chunks after it into the store, as far as the node's read-ahead policy says
 * (`readAheadEnd`: its seconds as chunks of this video) and at most its fetches at once, so the
 * player's next requests are answered from the local store. A seek moves the window; fetches for
 * the old position that have not started are dropped. Its fetches are background fetches: the
 * fetcher counts their bytes by origin once, on arrival, and the player's later read of them is not
 * counted again.
 */
const RETRY_AFTER_MS = 1_000;

export class Prefetcher {
  private readonly wanted = new Map<
    string,
    { video: string; from: number; to: number; chunks: TimedChunks }
  >();
  private readonly running = new Set<string>();
  private closed = false;
  /** Chunks whose prefetch failed lately: not retried at once, or a failing chunk would spin the pump. */
  private readonly failedAt = new Map<string, number>();

  constructor(
    private readonly fetcher: Pick<ChunkFetcher, 'fetch' | 'holdsOrFetching'>,
    private readonly logger: Logger,
    private readonly policy: Pick<ReadAheadPolicy, 'aheadSeconds' | 'fetchesAtOnce'>,
  ) {}

  /**
   * The player is at chunk `index` of `video` (whose manifest lists `chunks`): warm what follows it.
   * Indexes, not positions: a live stream's list starts where its window has got to, and nothing
   * before it is warmed (the window may have moved past the player).
   */
  advance(video: string, index: number, chunks: TimedChunks): void {
    if (this.closed) return;
    const from = Math.max(index + 1, firstIndex(chunks));
    this.wanted.set(video, {
      video,
      from,
      to: readAheadEnd(chunks, from, this.policy.aheadSeconds),
      chunks,
    });
    this.pump();
  }

  /** Stops starting fetches (the node is stopping); fetches already running finish on their own. */
  close(): void {
    this.closed = true;
    this.wanted.clear();
  }

  private pump(): void {
    if (this.closed) return;
    for (const want of this.wanted.values()) {
      for (let index = want.from; index < want.to && this.running.size < this.policy.fetchesAtOnce; index++) {
        const key = chunkKey(want.video, index);
        if (this.running.has(key) || this.fetcher.holdsOrFetching(want.video, index)) continue;
        if (Date.now() - (this.failedAt.get(key) ?? -Infinity) < RETRY_AFTER_MS) continue;
        this.running.add(key);
        this.fetcher
          // Due by its distance from the chunk the player is at.
          .fetch(want.video, index, undefined, {
            background: true,
            dueInMs: dueInMs(want.chunks, want.from - 1, index),
          })
          .catch((error: unknown) => {
            this.failedAt.set(key, Date.now());
            if (this.failedAt.size > 1_024) this.failedAt.clear();
            this.logger.debug({ video: want.video, index, error: errorMessage(error) }, 'prefetch failed');
          })
          .finally(() => {
            this.running.delete(key);
            this.pump();
          });
      }
    }
  }
}
