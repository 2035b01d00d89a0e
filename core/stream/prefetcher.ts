import type { ChunkFetcher } from './chunk-fetcher.js';
import type { ChunkStore } from '../store/chunk-store.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';

/**
 * Read-ahead for the local player. The player asks the gateway for one chunk at a time; each ask
 * also warms the next `window` chunks into the store, at most `concurrency` fetches at once, so the
 * player's next requests are answered from the local store. A seek moves the window; fetches for the
 * old position that have not started are dropped.
 */
export class Prefetcher {
  private readonly wanted = new Map<string, { video: string; from: number; to: number }>();
  private readonly running = new Set<string>();

  constructor(
    private readonly fetcher: ChunkFetcher,
    private readonly store: ChunkStore,
    private readonly logger: Logger,
    private readonly window: number,
    private readonly concurrency: number,
  ) {}

  /** The player is at chunk `index` of `video` (of `count` chunks): warm what follows it. */
  advance(video: string, index: number, count: number): void {
    this.wanted.set(video, { video, from: index + 1, to: Math.min(count, index + 1 + this.window) });
    this.pump();
  }

  private pump(): void {
    for (const want of this.wanted.values()) {
      for (let index = want.from; index < want.to && this.running.size < this.concurrency; index++) {
        const key = `${index}\u0000${want.video}`;
        if (this.running.has(key) || this.store.hasChunk(want.video, index)) continue;
        this.running.add(key);
        this.fetcher
          .fetch(want.video, index)
          .catch((error: unknown) =>
            this.logger.debug({ video: want.video, index, error: errorMessage(error) }, 'prefetch failed'),
          )
          .finally(() => {
            this.running.delete(key);
            this.pump();
          });
      }
    }
  }
}
