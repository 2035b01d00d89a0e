/**
 * Timers that exist only while there is work for them. A node's periodic upkeep (sweeping children,
 * sweeping streams, flushing reports, probing the home master) mostly has nothing to do: a leaf has
 * no children, a node on its own master has no home to probe. Idle timers cost nothing much on a
 * real node, but in a simulated tree of 100,000 nodes each empty tick is an event of its own.
 */
import type { Clock, Timer } from './clock.js';

/** A repeating timer that can be started and stopped any number of times. */
export class Ticker {
  private timer: Timer | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly periodMs: number,
    private readonly tick: () => void,
  ) {}

  get running(): boolean {
    return this.timer !== null;
  }

  /** Starts ticking unless it already is. */
  start(): void {
    this.timer ??= this.clock.every(this.periodMs, this.tick);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }
}

/**
 * Runs `work` when asked, at most once per `delayMs`: the first ask after a quiet spell runs at
 * once, and asks that come sooner are gathered into one run when the spell is over. Never two runs
 * at once (an ask during a run is served after it), so batched messages leave in order.
 */
export class Batcher {
  private timer: Timer | null = null;
  private running = false;
  private askedWhileRunning = false;
  private stopped = false;
  private lastStartedAt = -Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly delayMs: number,
    private readonly work: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  ask(): void {
    if (this.stopped || this.timer !== null) return;
    if (this.running) {
      this.askedWhileRunning = true;
      return;
    }
    const waitMs = Math.max(0, this.lastStartedAt + this.delayMs - this.clock.now());
    this.timer = this.clock.after(waitMs, () => {
      this.timer = null;
      this.running = true;
      this.lastStartedAt = this.clock.now();
      this.work()
        .catch(this.onError)
        .finally(() => {
          this.running = false;
          if (!this.askedWhileRunning) return;
          this.askedWhileRunning = false;
          this.ask();
        });
    });
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }
}
