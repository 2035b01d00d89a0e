/**
 * The node's read-ahead for its own player: each chunk the player asks for warms the chunks after it,
 * as far as the policy's seconds reach in this video's chunks and no more than its fetches at once.
 */
import { describe, expect, it } from 'vitest';
import { Prefetcher } from '../../core/stream/prefetcher.js';
import type { FetchedChunk } from '../../core/stream/chunk-fetcher.js';
import { silentLogger } from '../../core/util/logger.js';
import { windowedLive } from '../helpers/windowed-live.js';

/** A fetcher whose fetches finish when the test says, recording what was asked. */
class HeldFetches {
  readonly asked: number[] = [];
  readonly held = new Set<number>();
  private readonly finish = new Map<number, () => void>();

  readonly fetcher = {
    holdsOrFetching: (_video: string, index: number): boolean => this.held.has(index),
    fetch: (_video: string, index: number): Promise<FetchedChunk> => {
      this.asked.push(index);
      return new Promise((resolve) =>
        this.finish.set(index, () => {
          this.held.add(index);
          resolve({ bytes: Buffer.alloc(1), origin: 'master' });
        }),
      );
    },
  };

  get running(): number[] {
    return [...this.finish.keys()];
  }

  /** Finishes every fetch now running. */
  finishAll(): void {
    for (const [index, done] of this.finish) {
      this.finish.delete(index);
      done();
    }
  }
}

const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A prefetcher over held fetches, with this policy. */
function prefetching(
  aheadSeconds: number,
  fetchesAtOnce: number,
): { fetches: HeldFetches; prefetcher: Prefetcher } {
  const fetches = new HeldFetches();
  return {
    fetches,
    prefetcher: new Prefetcher(fetches.fetcher, silentLogger(), { aheadSeconds, fetchesAtOnce }),
  };
}
const oneSecondChunks = Array.from({ length: 40 }, (_, index) => ({ index, start: index }));

describe('Prefetcher', () => {
  it('warms the seconds after the asked chunk, at most its fetches at once', async () => {
    const { fetches, prefetcher } = prefetching(5, 2);
    prefetcher.advance('movie', 10, oneSecondChunks);
    expect(fetches.running).toEqual([11, 12]);
    // Each finished fetch makes room for the next; settled, every promise callback has run.
    for (let round = 0; round < 4; round++) {
      fetches.finishAll();
      await settled();
    }
    expect(fetches.running).toEqual([]);
    // Five 1 s chunks after chunk 10, and nothing further.
    expect(fetches.asked).toEqual([11, 12, 13, 14, 15]);
    prefetcher.close();
  });

  it('counts the window in seconds, so long chunks are fewer', () => {
    const { fetches, prefetcher } = prefetching(8, 10);
    const fourSecondChunks = Array.from({ length: 40 }, (_, index) => ({ index, start: index * 4 }));
    prefetcher.advance('movie', 3, fourSecondChunks);
    expect(fetches.asked).toEqual([4, 5]);
    prefetcher.close();
  });

  it('stops at the last chunk', () => {
    const { fetches, prefetcher } = prefetching(30, 10);
    prefetcher.advance('movie', 36, oneSecondChunks);
    expect(fetches.asked).toEqual([37, 38, 39]);
    prefetcher.advance('movie', 39, oneSecondChunks);
    expect(fetches.asked).toEqual([37, 38, 39]);
    prefetcher.close();
  });

  it('warms a live stream whose window has slid (chunks 40-59) by index, never before the window', () => {
    const live = windowedLive().manifest.chunks;
    const { fetches, prefetcher } = prefetching(3, 10);
    prefetcher.advance('cam', 45, live);
    expect(fetches.asked).toEqual([46, 47, 48]);
    // The window moved past the player: what follows starts at the window's first chunk.
    prefetcher.advance('cam', 12, live);
    expect(fetches.asked).toEqual([46, 47, 48, 40, 41, 42]);
    prefetcher.advance('cam', 58, live);
    expect(fetches.asked).toEqual([46, 47, 48, 40, 41, 42, 59]);
    prefetcher.close();
  });
});
