import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/util/virtual-clock.js';
import { randomInt, seededRandom } from '../../core/util/random.js';
import { systemClock } from '../../core/util/clock.js';

describe('VirtualClock', () => {
  it('fires timers in order of due time, then of scheduling, and only as time advances', async () => {
    const clock = new VirtualClock(1_000);
    const fired: string[] = [];
    clock.after(30, () => fired.push(`b@${clock.now()}`));
    clock.after(10, () => fired.push(`a@${clock.now()}`));
    clock.after(30, () => fired.push(`c@${clock.now()}`));
    expect(fired).toEqual([]);
    await clock.advance(29);
    expect(fired).toEqual(['a@1010']);
    await clock.advance(1);
    expect(fired).toEqual(['a@1010', 'b@1030', 'c@1030']);
    expect(clock.now()).toBe(1_030);
  });

  it('repeats an every() timer until cancelled, and never fires a cancelled one', async () => {
    const clock = new VirtualClock();
    const ticks: number[] = [];
    const timer = clock.every(100, () => ticks.push(clock.now()));
    const never = clock.after(150, () => ticks.push(-1));
    never.cancel();
    await clock.advance(350);
    timer.cancel();
    await clock.advance(1_000);
    expect(ticks).toEqual([100, 200, 300]);
  });

  it('with a quantum, rounds due times up to it and fires a whole instant before its continuations', async () => {
    const clock = new VirtualClock(0, { quantumMs: 5 });
    const order: string[] = [];
    clock.after(1.5, () => {
      order.push(`a@${clock.now()}`);
      void Promise.resolve().then(() => order.push('continuation of a'));
    });
    clock.after(4, () => order.push(`b@${clock.now()}`));
    clock.after(6, () => order.push(`c@${clock.now()}`));
    await clock.advance(20);
    expect(order).toEqual(['a@5', 'b@5', 'continuation of a', 'c@10']);
  });

  it('runs the continuations a timer sets off before the next timer', async () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    clock.after(10, () => {
      void Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => order.push('continuation of the first'));
    });
    clock.after(10, () => order.push('second timer'));
    await clock.advance(10);
    expect(order).toEqual(['continuation of the first', 'second timer']);
  });

  it('fires a timer a continuation sets for now, after skipping cancelled timers due later', async () => {
    // The calendar once kept one read position for whichever list came first: skipping B's
    // cancelled neighbour left it at 1, and then skipped Y when Y's list was put in front.
    const clock = new VirtualClock(0, { quantumMs: 1 });
    const order: string[] = [];
    clock.after(2, () => order.push('cancelled')).cancel();
    clock.after(2, () => order.push(`b@${clock.now()}`));
    clock.after(1, () => {
      order.push(`x@${clock.now()}`);
      void Promise.resolve().then(() => clock.after(0, () => order.push(`y@${clock.now()}`)));
    });
    await clock.advance(5);
    expect(order).toEqual(['x@1', 'y@1', 'b@2']);
  });

  it('fires random schedules exactly as a sorted list of (due time, order set) would', async () => {
    for (const quantumMs of [0, 1, 5]) {
      for (let seed = 1; seed <= 20; seed++) {
        const random = seededRandom(seed);
        const clock = new VirtualClock(0, { quantumMs });
        const fired: number[] = [];
        const expected: { at: number; order: number; id: number; cancelled: boolean }[] = [];
        const timers: { cancel(): void }[] = [];
        let next = 0;
        // Set up front and fired in one run: the reference is the list sorted by due time, then
        // by the order set, with the cancelled ones left out.
        for (let i = 0; i < 300; i++) {
          const id = next++;
          const ms = randomInt(random, 0, 40) / (quantumMs === 0 ? 4 : 1);
          const at = quantumMs === 0 ? ms : Math.ceil(ms / quantumMs) * quantumMs;
          const entry = { at, order: id, id, cancelled: false };
          expected.push(entry);
          timers.push(clock.after(ms, () => fired.push(id)));
          if (random.next() < 0.3) {
            const victim = randomInt(random, 0, timers.length - 1);
            timers[victim]!.cancel();
            expected[victim]!.cancelled = true;
          }
        }
        await clock.advance(100);
        const reference = expected
          .filter((entry) => !entry.cancelled)
          .sort((a, b) => a.at - b.at || a.order - b.order)
          .map((entry) => entry.id);
        expect(fired, `quantum ${quantumMs}, seed ${seed}`).toEqual(reference);
      }
    }
  });

  it('ends a sleep early when its signal aborts', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    let woke = -1;
    void clock.sleep(1_000, controller.signal).then(() => (woke = clock.now()));
    clock.after(250, () => controller.abort());
    await clock.advance(2_000);
    expect(woke).toBe(250);
  });

  it('runUntil stops when the condition holds, or at the limit with false', async () => {
    const clock = new VirtualClock();
    let count = 0;
    clock.every(100, () => count++);
    expect(await clock.runUntil(() => count === 3, 1_000)).toBe(true);
    expect(clock.now()).toBe(300);
    expect(await clock.runUntil(() => count === 100, 500)).toBe(false);
    expect(clock.now()).toBe(800);
  });
});

describe('seededRandom', () => {
  it('gives the same sequence for the same seed, another for another, all in [0, 1)', () => {
    const take = (seed: number) => Array.from({ length: 1_000 }, seededRandom(seed).next);
    const first = take(7);
    expect(take(7)).toEqual(first);
    expect(take(8)).not.toEqual(first);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...first)).toBeLessThan(1);
    const mean = first.reduce((sum, value) => sum + value, 0) / first.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });

  it('draws integers over the whole inclusive range', () => {
    const random = seededRandom(3);
    const seen = new Set(Array.from({ length: 500 }, () => randomInt(random, 5, 9)));
    expect([...seen].sort()).toEqual([5, 6, 7, 8, 9]);
  });
});

describe('systemClock', () => {
  it('keeps epoch time with sub-millisecond steps, and its sleep ends on abort', async () => {
    expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(50);
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    controller.abort();
    await sleeping;
  });
});
