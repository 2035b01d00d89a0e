import type { ChunkFetcher } from './chunk-fetcher.js';
import type { Logger } from '../util/logger.js';
import type { ChunkOrigin } from '../shared/api-types.js';
import { errorMessage } from '../util/errors.js';

/**
 * Read-ahead for the local player. The player asks the gateway for one chunk at a time; each ask
 * also warms the next `window` chunks into the store, at most `concurrency` fetches at once, so the
 * player's next requests are answered from the local store. A seek moves the window; fetches for the
 * old position that have not started are dropped.
 */
const RETRY_AFTER_MS = 1_000;

export class Prefetcher {
  private readonly wanted = new Map<string, { video: string; from: number; to: number }>();
  private readonly running = new Set<string>();
  private closed = false;
  /** Chunks whose prefetch failed lately: not retried at once, or a failing chunk would spin the pump. */
  private readonly failedAt = new Map<string, number>();
  /** Where prefetched chunks really came from, so the player's later local read is credited right. */
  private readonly origins = new Map<string, ChunkOrigin>();

  constructor(
    private readonly fetcher: ChunkFetcher,
    private readonly logger: Logger,
    private readonly window: number,
    private readonly concurrency: number,
  ) {}

  /** The player is at chunk `index` of `video` (of `count` chunks): warm what follows it. */
  advance(video: string, index: number, count: number): void {
    if (this.closed) return;
    this.wanted.set(video, { video, from: index + 1, to: Math.min(count, index + 1 + this.window) });
    this.pump();
  }

  /** Stops starting fetches (the node is stopping); fetches already running finish on their own. */
  close(): void {
    this.closed = true;
    this.wanted.clear();
  }

  /** The origin of a chunk this prefetcher brought in, once: the player reads each chunk once. */
  takeOrigin(video: string, index: number): ChunkOrigin | undefined {
    const key = `${index}\u0000${video}`;
    const origin = this.origins.get(key);
    this.origins.delete(key);
    return origin;
  }

  private remember(key: string, origin: ChunkOrigin): void {
    if (origin === 'local') return;
    this.origins.set(key, origin);
    // Bounded: chunks prefetched but never played (a seek away) must not pile up.
    if (this.origins.size > 4_096) this.origins.delete(this.origins.keys().next().value!);
  }

  private pump(): void {
    if (this.closed) return;
    for (const want of this.wanted.values()) {
      for (let index = want.from; index < want.to && this.running.size < this.concurrency; index++) {
        const key = `${index}\u0000${want.video}`;
        if (this.running.has(key) || this.fetcher.holdsOrFetching(want.video, index)) continue;
        if (Date.now() - (this.failedAt.get(key) ?? -Infinity) < RETRY_AFTER_MS) continue;
        this.running.add(key);
        this.fetcher
          .fetch(want.video, index, undefined, { count: false })
          .then((chunk) => this.remember(key, chunk.origin))
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
