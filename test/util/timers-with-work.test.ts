import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/util/virtual-clock.js';
import { Batcher, Ticker } from '../../core/util/timers-with-work.js';

describe('Ticker', () => {
  it('ticks only between start and stop, and a second start does not double it', async () => {
    const clock = new VirtualClock();
    const ticks: number[] = [];
    const ticker = new Ticker(clock, 100, () => ticks.push(clock.now()));
    await clock.advance(300);
    expect(ticks).toEqual([]);
    ticker.start();
    ticker.start();
    await clock.advance(250);
    ticker.stop();
    await clock.advance(500);
    expect(ticks).toEqual([400, 500]);
    expect(ticker.running).toBe(false);
  });
});

describe('Batcher', () => {
  it('runs at once after a quiet spell, then at most once per window, never two runs at once', async () => {
    const clock = new VirtualClock();
    const runs: Array<[number, number]> = [];
    const batcher = new Batcher(
      clock,
      200,
      async () => {
        const started = clock.now();
        await clock.sleep(50);
        runs.push([started, clock.now()]);
      },
      (error) => {
        throw error;
      },
    );
    const at = (ms: number): Promise<void> => clock.advance(ms - clock.now());
    batcher.ask();
    // Asked 100 ms after a run began: both asks are gathered into one run at 200.
    await at(100);
    batcher.ask();
    batcher.ask();
    // Asked during that run (200 to 250): served after it, a window after it began, at 400.
    await at(220);
    batcher.ask();
    // Quiet since 450: the next ask runs at once.
    await at(1_520);
    batcher.ask();
    await at(2_000);
    expect(runs).toEqual([
      [0, 50],
      [200, 250],
      [400, 450],
      [1_520, 1_570],
    ]);
  });

  it('passes a failed run to its error handler and runs again when asked', async () => {
    const clock = new VirtualClock();
    const errors: string[] = [];
    let calls = 0;
    const batcher = new Batcher(
      clock,
      10,
      () => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('master gone')) : Promise.resolve();
      },
      (error) => errors.push((error as Error).message),
    );
    batcher.ask();
    await clock.advance(20);
    batcher.ask();
    await clock.advance(20);
    expect(errors).toEqual(['master gone']);
    expect(calls).toBe(2);
  });

  it('does nothing once stopped, even if asked', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const batcher = new Batcher(
      clock,
      10,
      () => Promise.resolve(void (calls += 1)),
      () => undefined,
    );
    batcher.ask();
    batcher.stop();
    batcher.ask();
    await clock.advance(100);
    expect(calls).toBe(0);
  });
});
