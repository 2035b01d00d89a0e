/**
 * Time as node logic sees it: the current time, one-off and repeating timers, and sleeps. The node
 * runs on `systemClock`; tests and the simulator run the same logic on a VirtualClock
 * (virtual-clock.ts), where time moves only when the run says so and every run is repeatable.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch, for durations, deadlines and timestamps. */
  now(): number;
  /** Calls `work` once after `ms`. */
  after(ms: number, work: () => void): Timer;
  /** Calls `work` every `ms` until cancelled. */
  every(ms: number, work: () => void): Timer;
  /** Resolves after `ms`, or at once (without rejecting) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Real time. Its timers never keep the process alive on their own: a node's heartbeats and sweeps
 * must not stop a stopped node's process from exiting (its sockets and servers keep a live one up).
 */
export const systemClock: Clock = {
  // Epoch milliseconds with performance.now()'s sub-millisecond steps: round trips on one host are
  // well under a millisecond, which Date.now() would round to 0 or 1.
  now: () => performance.timeOrigin + performance.now(),
  after(ms, work) {
    const handle = setTimeout(work, ms);
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
  every(ms, work) {
    const handle = setInterval(work, ms);
    handle.unref();
    return { cancel: () => clearInterval(handle) };
  },
  sleep: (ms, signal) => sleepOn(systemClock, ms, signal),
};

/** A sleep built from `clock.after`, ended early by `signal`. */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.after(ms, done);
    signal?.addEventListener('abort', done, { once: true });
  });
}
