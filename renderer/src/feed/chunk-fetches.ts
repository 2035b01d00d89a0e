import { api, getBytes, type FetchedBytes } from '../api/client.ts';
import { GatewayFailure, isAbort } from '../api/gateway-error.ts';
import type { ChunkOrigin } from '../api/types.ts';
import { problemFromFailure, type ProblemReport } from './problem.ts';
import { withRetry } from './retry.ts';

interface PendingChunk {
  controller: AbortController;
  data?: FetchedBytes;
}

/** What the feed hears from its fetches. */
export interface FetchEvents {
  /** Chunk `index` arrived, `ms` after its fetch started. */
  fetched(index: number, data: FetchedBytes, ms: number): void;
  /** A chunk failed in a way retrying cannot fix (e.g. the token was refused). */
  halted(): void;
  /** A fetch ended, whichever way: the feed may have work to do. */
  settled(): void;
}

export interface ChunkFetchesOptions {
  video: string;
  /** Chunk fetches in flight at once. */
  maxInFlight: number;
  /** Aborted when the feed is destroyed: every fetch ends with it. */
  lifetime: AbortSignal;
  problems: ProblemReport;
  /** Requests already under way (e.g. from the click that opened the video), by URL: taken, not repeated. */
  prefetched: Map<string, Promise<FetchedBytes>> | undefined;
  events: FetchEvents;
}

/**
 * The feed's fetches from the gateway: chunks fetched (or in flight) and not yet appended, each
 * retried until it comes or is no longer wanted, and the bytes received by origin. Failures become
 * the problem the viewer is shown while retrying, and clear when a fetch succeeds.
 */
export class ChunkFetches {
  private readonly pending = new Map<number, PendingChunk>();
  private readonly bytesReceived = { local: 0, peer: 0, master: 0, source: 0, unknown: 0 };

  constructor(private readonly options: ChunkFetchesOptions) {}

  get size(): number {
    return this.pending.size;
  }

  has(index: number): boolean {
    return this.pending.has(index);
  }

  /** Chunk `index`'s bytes once they have come. */
  bytesOf(index: number): ArrayBuffer | undefined {
    return this.pending.get(index)?.data?.bytes;
  }

  /** Forgets chunk `index` (appended), without aborting anything. */
  delete(index: number): void {
    this.pending.delete(index);
  }

  clear(): void {
    this.pending.clear();
  }

  inFlight(): number[] {
    return [...this.pending.entries()]
      .filter(([, chunk]) => chunk.data === undefined)
      .map(([index]) => index);
  }

  bytesByOrigin(): Record<ChunkOrigin | 'unknown', number> {
    return { ...this.bytesReceived };
  }

  /**
   * Drops fetched or in-flight chunks no longer on the path ahead of `from` (after a seek), then
   * starts fetches of chunks `from` up to `end` (the read-ahead window, from `readAheadEnd`), up to
   * the in-flight limit.
   */
  schedule(from: number, end: number): void {
    const { maxInFlight } = this.options;
    for (const [index, chunk] of this.pending) {
      if (index < from || index >= from + maxInFlight + 2) {
        chunk.controller.abort();
        this.pending.delete(index);
      }
    }
    for (let index = from; index < end; index++) {
      if (this.pending.size >= maxInFlight) break;
      if (this.pending.has(index)) continue;
      this.start(index);
    }
  }

  start(index: number): void {
    const { lifetime, events } = this.options;
    const controller = new AbortController();
    const onLifetimeEnd = (): void => controller.abort();
    lifetime.addEventListener('abort', onLifetimeEnd, { once: true });
    const entry: PendingChunk = { controller };
    this.pending.set(index, entry);
    const started = performance.now();
    this.fetch(api.chunkUrl(this.options.video, index), `chunk ${index}`, controller.signal)
      .then((data) => {
        entry.data = data;
        this.bytesReceived[data.origin ?? 'unknown'] += data.bytes.byteLength;
        events.fetched(index, data, performance.now() - started);
      })
      .catch((error: unknown) => {
        if (this.pending.get(index) === entry) this.pending.delete(index);
        if (isAbort(error) || controller.signal.aborted) return;
        if (error instanceof GatewayFailure && error.kind === 'fatal') events.halted();
      })
      .finally(() => {
        lifetime.removeEventListener('abort', onLifetimeEnd);
        events.settled();
      });
  }

  /** `url`'s bytes, retried until they come or `signal` aborts; a prefetched request is taken first. */
  fetch(url: string, what: string, signal: AbortSignal): Promise<FetchedBytes> {
    const { prefetched, problems } = this.options;
    let early = prefetched?.get(url);
    prefetched?.delete(url);
    const attempt = (attemptSignal: AbortSignal): Promise<FetchedBytes> => {
      // The first attempt is the request already in flight; a retry is a fresh one.
      const taken = early;
      early = undefined;
      return taken ?? getBytes(url, attemptSignal);
    };
    return withRetry(attempt, signal, {
      onFailure: (failure, attempt) => {
        const problem = problemFromFailure(failure, attempt, what);
        if (problem !== null) problems.set(problem);
      },
      onSuccess: () => {
        if (problems.retrying) problems.set(null);
      },
    });
  }
}
