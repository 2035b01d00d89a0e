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
