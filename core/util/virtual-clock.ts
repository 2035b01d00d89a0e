import { sleepOn, type Clock, type Timer } from './clock.js';
import { TimerCalendar, type CalendarEntry } from './timer-calendar.js';

/**
 * Time that moves only when the run moves it, for deterministic tests and the simulator. Timers
 * fire in order of due time, then of scheduling; between two timers every promise continuation the
 * last one set off runs to completion (the run yields to the event loop once, and nothing else in a
 * virtual run uses real I/O), so a run is repeatable from its inputs and its random seed.
 */
export class VirtualClock implements Clock {
  private current: number;
  private readonly calendar = new TimerCalendar<CalendarEntry>();
  /** Timers fired so far: how much happened, for the simulator's figures. */
  fired = 0;

  private readonly quantumMs: number;

  /**
   * `quantumMs` (for the simulator) rounds every due time up to a multiple of it, and fires all the
   * timers due at one time before their promise continuations run: far fewer turns of the event
   * loop in a run with hundreds of thousands of timers, at the cost of that much timing precision
   * and of the strict one-timer-then-its-continuations order tests rely on. Default 0: exact.
   */
  constructor(startMs = 0, options: { quantumMs?: number } = {}) {
    this.current = startMs;
    this.quantumMs = options.quantumMs ?? 0;
  }

  now(): number {
    return this.current;
  }

  after(ms: number, work: () => void): Timer {
    return this.schedule(ms, work, undefined);
  }

  every(ms: number, work: () => void): Timer {
    return this.schedule(ms, work, Math.max(1, ms));
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Runs every timer due within the next `ms`, then leaves the time at now + ms. */
  async advance(ms: number): Promise<void> {
    await this.runUntil(() => false, Math.max(0, ms));
  }

  /**
   * Runs until `done()` holds (checked after each timer), or until `limitMs` of virtual time have
   * passed. Resolves with whether `done()` held.
   */
  async runUntil(done: () => boolean, limitMs: number): Promise<boolean> {
    const end = this.current + limitMs;
    await settle();
    while (!done()) {
      const next = this.calendar.peek();
      if (next === undefined || next.at > end) {
        this.current = end;
        return done();
      }
      await this.fireNext();
    }
    return true;
  }

  private async fireNext(): Promise<void> {
    const at = this.calendar.peek()!.at;
    this.current = Math.max(this.current, at);
    // Exact time fires one timer per turn; quantised time fires all that are due at once.
    do {
      const entry = this.calendar.take()!;
      if (entry.periodMs !== undefined) {
        // The same entry, due again: a cancel through its Timer still reaches it.
        entry.at = this.dueAt(entry.at, entry.periodMs);
        this.calendar.add(entry);
      }
      this.fired += 1;
      entry.work();
    } while (this.quantumMs > 0 && this.calendar.peek()?.at === at);
    await settle();
  }

  private dueAt(from: number, ms: number): number {
    const at = from + Math.max(0, ms);
    return this.quantumMs > 0 ? Math.ceil(at / this.quantumMs) * this.quantumMs : at;
  }

  private schedule(ms: number, work: () => void, periodMs: number | undefined): Timer {
    const entry: CalendarEntry = {
      at: this.dueAt(this.current, ms),
      work,
      cancelled: false,
      periodMs,
    };
    // Timers due at the same time fire in the order they were set: the calendar keeps that order.
    this.calendar.add(entry);
    return { cancel: () => void (entry.cancelled = true) };
  }
}

/**
 * Lets every promise continuation already set off run: a macrotask turn comes only after the
 * microtask queue is empty, and a virtual run schedules no other macrotasks.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
