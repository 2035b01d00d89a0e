import { endIndex } from '../shared/segments.js';
import {
  dueInMs,
  readAheadEnd,
  type ReadAheadPolicy,
  type TimedChunks,
} from '../shared/read-ahead-policy.js';

/**
 * Hands out chunks from `start` to the last strictly in order while fetching the policy's window
 * ahead of the play position (`readAheadEnd`: its seconds as chunks of this video), at most its
 * fetches at once. Positions are chunk indexes, which for a live stream start where its DVR window
 * has got to. The fetch function owns failover; if it gives up on a chunk, `next()` rejects for that
 * chunk and a later `next()` tries it again.
 */
export interface ReadAheadOptions<T> {
  /** The index of the first chunk handed out: one the list has. */
  start: number;
  /** The video's chunks, for their indexes and start times; the last one ends the stream. */
  chunks: TimedChunks;
  policy: Pick<ReadAheadPolicy, 'aheadSeconds' | 'fetchesAtOnce'>;
  /** `dueInMs`: how soon the reader needs it (0 for the chunk it waits on), for the peers asked. */
  fetch(index: number, signal: AbortSignal, dueInMs: number): Promise<T>;
  /** Called when a fetched chunk is dropped unplayed (stream closed), to release its pin. */
  discard?(index: number, value: T): void;
}

export type ReadAheadResult<T> = { done: false; index: number; value: T } | { done: true };

interface Pending<T> {
  promise: Promise<T>;
  settled: boolean;
  value?: T;
}

export class ReadAhead<T> {
  private position: number;
  private readonly end: number;
  private readonly pending = new Map<number, Pending<T>>();
  private readonly controller = new AbortController();
  private inFlight = 0;
  private closed = false;
  /**
   * Until the first chunk is handed out, only it is fetched: on a cold path every hop would otherwise
   * query, fetch, hash and store every fetch slot's chunk at once, and the one the viewer waits for would
   * queue behind its neighbours.
   */
  private primed = false;

  constructor(private readonly options: ReadAheadOptions<T>) {
    this.position = options.start;
    this.end = endIndex(options.chunks);
  }

  get nextIndex(): number {
    return this.position;
  }

  async next(): Promise<ReadAheadResult<T>> {
    if (this.closed || this.position >= this.end) return { done: true };
    this.fill();
    const index = this.position;
    const entry = this.pending.get(index)!;
    try {
      const value = await entry.promise;
      this.pending.delete(index);
      this.position += 1;
      this.primed = true;
      this.fill();
      return { done: false, index, value };
    } catch (error) {
      // Forget the failed attempt so the next call fetches this chunk afresh.
      this.pending.delete(index);
      throw error;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.controller.abort();
    for (const [index, entry] of this.pending) {
      if (entry.settled && entry.value !== undefined) this.options.discard?.(index, entry.value);
    }
    this.pending.clear();
  }

  private fill(): void {
    const { chunks, policy } = this.options;
    const limit = this.primed
      ? readAheadEnd(chunks, this.position, policy.aheadSeconds)
      : Math.min(this.end, this.position + 1);
    for (let index = this.position; index < limit; index++) {
      if (this.pending.has(index)) continue;
      // The chunk the player waits for always starts, even when the ahead-fetches use every slot.
      if (this.inFlight >= policy.fetchesAtOnce && index !== this.position) break;
      this.start(index);
    }
  }

  private start(index: number): void {
    this.inFlight += 1;
    const entry: Pending<T> = { promise: undefined as unknown as Promise<T>, settled: false };
    const due = dueInMs(this.options.chunks, this.position, index);
    entry.promise = this.options.fetch(index, this.controller.signal, due).then(
      (value) => {
        entry.settled = true;
        entry.value = value;
        this.inFlight -= 1;
        if (this.closed) this.options.discard?.(index, value);
        else this.fill();
        return value;
      },
      (error: unknown) => {
        entry.settled = true;
        this.inFlight -= 1;
        if (!this.closed) this.fill();
        throw error;
      },
    );
    // A rejection is observed by next(); until then it must not count as unhandled.
    entry.promise.catch(() => undefined);
    this.pending.set(index, entry);
  }
}
