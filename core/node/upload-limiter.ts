import { systemClock, type Clock, type Timer } from '../util/clock.js';

/**
 * Caps the rate at which this node serves chunk bytes to others (the upload limit users set). A
 * token bucket refilled continuously: a send goes once the bucket is not in debt, and its bytes are
 * the debt the next send waits out, so the long-run rate holds even for chunks bigger than one
 * second's allowance (over any stretch, at most the rate, a quarter second's burst and one chunk).
 *
 * Sends that wait go earliest deadline first, not first come: each says how soon its requester needs
 * it (`dueInMs`, the `get` request's field: 0 for the chunk a player waits on, more for read-ahead).
 * With a limit at the uplink's speed the queue is here, where it can be ordered, instead of in the
 * uplink, where a newcomer's first chunk waited behind its siblings' read-ahead (the simulator at
 * 1,666 joins a second: from registered to first chunk p95 2.1 s first come, first served).
 */
export class UploadLimiter {
  private bytesPerSecond: number | null;
  private tokens: number;
  private updatedAt: number;
  private readonly waiting: Waiter[] = [];
  /** Arrival order, so sends due at the same time go first come, first served. */
  private arrivals = 0;
  private wake: Timer | null = null;
  /** Sends waiting per requester's signal (see watch). */
  private readonly bySignal = new Map<AbortSignal, { waiters: Set<Waiter>; onAbort: () => void }>();

  constructor(
    bytesPerSecond?: number | null,
    private readonly clock: Clock = systemClock,
  ) {
    this.updatedAt = clock.now();
    this.bytesPerSecond = bytesPerSecond ?? null;
    this.tokens = this.burst();
  }

  get limit(): number | null {
    return this.bytesPerSecond;
  }

  /** Sends waiting for their turn. */
  get queued(): number {
    return this.waiting.length;
  }

  setLimit(bytesPerSecond: number | null): void {
    this.refill();
    this.bytesPerSecond = bytesPerSecond;
    this.tokens = Math.min(this.tokens, this.burst());
    this.pump();
  }

  /**
   * Resolves when `bytes` may go. `dueInMs`: how soon the requester needs them (0, the default: now).
   * Rejects with the signal's reason when the requester gives up first; its bytes are then not counted.
   */
  take(bytes: number, signal?: AbortSignal, dueInMs = 0): Promise<void> {
    if (this.bytesPerSecond === null) return Promise.resolve();
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        bytes,
        dueAt: this.clock.now() + Math.max(0, dueInMs),
        arrival: this.arrivals++,
        resolve,
        reject,
        signal,
      };
      if (signal !== undefined) this.watch(signal, waiter);
      insertByDeadline(this.waiting, waiter);
      this.pump();
    });
  }

  /**
   * Lets waiting sends go, earliest deadline first, while the bucket is not in debt; each send's
   * bytes are then the debt the next one waits out. A send is chosen when the one before it has gone
   * out, not a send ahead: chosen a send ahead, a first chunk waited out the chosen one too, and on
   * a 5-50 Mbit/s uplink that is up to a 750 kB chunk's second more (the simulator: start-up p95
   * 3.2 s, not 2.7 s first come, first served).
   */
  private pump(): void {
    this.wake?.cancel();
    this.wake = null;
    this.refill();
    if (this.bytesPerSecond === null) {
      for (const waiter of this.waiting.splice(0)) this.release(waiter);
      return;
    }
    while (this.waiting.length > 0) {
      if (this.tokens < 0) {
        // Woken once the debt is paid, and not before: a timer per send would be a timer per chunk.
        // Whole milliseconds, at least one: a debt of a fraction of a byte must not wake it at once
        // (the same instant, over and over).
        const waitMs = Math.max(1, Math.ceil((-this.tokens / this.bytesPerSecond) * 1000));
        this.wake = this.clock.after(waitMs, () => this.pump());
        return;
      }
      const next = this.waiting.shift()!;
      this.tokens -= next.bytes;
      this.release(next);
    }
  }

  private release(waiter: Waiter): void {
    this.unwatch(waiter);
    waiter.resolve();
  }

  /**
   * One abort listener per signal, however many of its sends wait: a peer's signal is shared by
   * all its requests, and a listener each set off Node's leak warning at eleven.
   */
  private watch(signal: AbortSignal, waiter: Waiter): void {
    let watched = this.bySignal.get(signal);
    if (watched === undefined) {
      const waiters = new Set<Waiter>();
      const onAbort = (): void => {
        this.bySignal.delete(signal);
        for (const each of [...waiters]) this.giveUp(each);
      };
      watched = { waiters, onAbort };
      this.bySignal.set(signal, watched);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    watched.waiters.add(waiter);
  }

  /** Stops watching for `waiter`, and the signal once none of its sends waits. */
  private unwatch(waiter: Waiter): void {
    const { signal } = waiter;
    const watched = signal === undefined ? undefined : this.bySignal.get(signal);
    if (signal === undefined || watched === undefined) return;
    watched.waiters.delete(waiter);
    if (watched.waiters.size > 0) return;
    signal.removeEventListener('abort', watched.onAbort);
    this.bySignal.delete(signal);
  }

  /** Whoever stopped waiting (the requester went away) sends nothing and costs nothing. */
  private giveUp(waiter: Waiter): void {
    const at = this.waiting.indexOf(waiter);
    if (at < 0) return;
    this.waiting.splice(at, 1);
    this.unwatch(waiter);
    waiter.reject(waiter.signal?.reason);
  }

  /** A quarter second of allowance: small enough that the rate holds over short windows too. */
  private burst(): number {
    return this.bytesPerSecond === null ? 0 : this.bytesPerSecond / 4;
  }

  private refill(): void {
    const now = this.clock.now();
    if (this.bytesPerSecond !== null) {
      this.tokens = Math.min(
        this.burst(),
        this.tokens + ((now - this.updatedAt) / 1000) * this.bytesPerSecond,
      );
    }
    this.updatedAt = now;
  }
}

interface Waiter {
  bytes: number;
  dueAt: number;
  arrival: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
}

/**
 * Keeps `queue` ordered by deadline, then arrival. A node's queue holds a few chunks per child, so
 * a binary search and a splice cost less than a heap's bookkeeping.
 */
function insertByDeadline(queue: Waiter[], waiter: Waiter): void {
  let low = 0;
  let high = queue.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const other = queue[middle]!;
    if (other.dueAt < waiter.dueAt || (other.dueAt === waiter.dueAt && other.arrival < waiter.arrival))
      low = middle + 1;
    else high = middle;
  }
  queue.splice(low, 0, waiter);
}
