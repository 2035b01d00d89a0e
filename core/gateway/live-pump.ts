import type { LiveUpdate } from '../shared/api-types.js';

/** One clock of live updates: every `everyMs`, `updates()` says what to send (possibly nothing). */
export interface LiveClock {
  everyMs: number;
  updates: () => Promise<readonly LiveUpdate[]> | readonly LiveUpdate[];
}

/**
 * The subscribe() half of a GatewayBackend: listeners, and clocks that run only while someone
 * listens. Updates go out on a steady clock, not only after a change, because an idle second is
 * news too: the throughput chart reads it as a second with no traffic.
 */
export class LivePump {
  private readonly listeners = new Set<(update: LiveUpdate) => void>();
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly clocks: readonly LiveClock[],
    /** A clock whose updates() failed; the next tick tries again. */
    private readonly onError: (error: unknown) => void,
  ) {}

  subscribe(listener: (update: LiveUpdate) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Sends `update` to every listener now: news that does not wait for a clock (a live stream grew). */
  push(update: LiveUpdate): void {
    for (const listener of this.listeners) listener(update);
  }

  close(): void {
    this.stop();
    this.listeners.clear();
  }

  private start(): void {
    this.timers = this.clocks.map((clock) => {
      const timer = setInterval(() => {
        Promise.resolve()
          .then(() => clock.updates())
          .then(
            (updates) => {
              for (const update of updates) for (const listener of this.listeners) listener(update);
            },
            (error: unknown) => this.onError(error),
          );
      }, clock.everyMs);
      timer.unref();
      return timer;
    });
  }

  private stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }
}
