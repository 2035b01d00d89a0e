/**
 * hedgedRace in virtual time: holders one after another, the master asked beside them once the
 * hedge passes, the first good answer winning, and losers left to finish on their own.
 */
import { describe, expect, it } from 'vitest';
import { hedgedRace } from '../../core/stream/hedged-race.js';
import { VirtualClock } from '../../core/util/virtual-clock.js';

interface Call {
  who: string;
  at: number;
  signal: AbortSignal;
}

/** Holders and a master that answer after `ms` (null: never, or `fail`: a failure then). */
function setup(clock: VirtualClock) {
  const calls: Call[] = [];
  const answer =
    (who: string, ms: number | null, outcome: 'ok' | 'fail' = 'ok') =>
    (signal: AbortSignal): Promise<string | null> => {
      calls.push({ who, at: clock.now(), signal });
      if (ms === null) return new Promise(() => undefined);
      return clock.sleep(ms).then(() => (outcome === 'ok' ? who : null));
    };
  /** The master: answers after `ms`, or never with null. */
  const master =
    (ms: number | null) =>
    (signal: AbortSignal): Promise<string> => {
      calls.push({ who: 'master', at: clock.now(), signal });
      if (ms === null) return new Promise(() => undefined);
      return clock.sleep(ms).then(() => 'master');
    };
  return { calls, answer, master };
}

async function run<T>(clock: VirtualClock, work: Promise<T>): Promise<T> {
  let outcome: { value: T } | { error: unknown } | undefined;
  work.then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { error }),
  );
  await clock.runUntil(() => outcome !== undefined, 60_000);
  if (outcome === undefined) throw new Error('the race never settled');
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

describe('hedgedRace', () => {
  it('takes a quick holder and never asks the master', async () => {
    const clock = new VirtualClock();
    const { calls, answer, master } = setup(clock);
    const holders = { a: answer('a', 100) };
    const result = await run(
      clock,
      hedgedRace(['a'], (holder, signal) => holders[holder as 'a'](signal), master(10), {
        hedgeMs: 300,
        clock,
      }),
    );
    expect(result).toBe('a');
    await clock.advance(1_000);
    expect(calls.map((call) => call.who)).toEqual(['a']);
  });

  it('asks the master at the hedge when a holder is silent, and reports the holder overtaken', async () => {
    const clock = new VirtualClock();
    const { calls, answer, master } = setup(clock);
    const overtaken: string[] = [];
    const result = await run(
      clock,
      hedgedRace(['mute', 'b'], (holder, signal) => answer(holder, null)(signal), master(40), {
        hedgeMs: 300,
        clock,
        onOvertaken: (holder) => overtaken.push(holder),
      }),
    );
    expect(result).toBe('master');
    expect(clock.now()).toBe(340);
    expect(calls.map((call) => [call.who, call.at])).toEqual([
      ['mute', 0],
      ['master', 300],
    ]);
    expect(overtaken).toEqual(['mute']);
    // The silent holder's request is left to end by its own timeout: its signal is not aborted, and
    // the next holder is never asked once the race is won.
    expect(calls[0]!.signal.aborted).toBe(false);
    await clock.advance(5_000);
    expect(calls.map((call) => call.who)).toEqual(['mute', 'master']);
  });

  it('goes to the master at once when every holder has failed before the hedge', async () => {
    const clock = new VirtualClock();
    const { calls, answer, master } = setup(clock);
    const result = await run(
      clock,
      hedgedRace(['x', 'y'], (holder, signal) => answer(holder, 20, 'fail')(signal), master(40), {
        hedgeMs: 300,
        clock,
      }),
    );
    expect(result).toBe('master');
    expect(calls.map((call) => [call.who, call.at])).toEqual([
      ['x', 0],
      ['y', 20],
      ['master', 40],
    ]);
  });

  it('takes a holder that answers after the hedge, before the master does', async () => {
    const clock = new VirtualClock();
    const { answer, master } = setup(clock);
    const overtaken: string[] = [];
    const result = await run(
      clock,
      hedgedRace(['slow'], (holder, signal) => answer(holder, 350)(signal), master(200), {
        hedgeMs: 300,
        clock,
        onOvertaken: (holder) => overtaken.push(holder),
      }),
    );
    expect(result).toBe('slow');
    expect(clock.now()).toBe(350);
    expect(overtaken).toEqual([]);
  });

  it('waits for the holders when the master fails, and fails with the master when they do too', async () => {
    const clock = new VirtualClock();
    const failingMaster = (): Promise<string> =>
      clock.sleep(10).then(() => Promise.reject(new Error('master down')));
    const { answer } = setup(clock);
    expect(
      await run(
        clock,
        hedgedRace(['late'], (holder, signal) => answer(holder, 500)(signal), failingMaster, {
          hedgeMs: 300,
          clock,
        }),
      ),
    ).toBe('late');
    await expect(
      run(
        clock,
        hedgedRace(['bad'], (holder, signal) => answer(holder, 500, 'fail')(signal), failingMaster, {
          hedgeMs: 300,
          clock,
        }),
      ),
    ).rejects.toThrow('master down');
  });

  it('asks the master straight away with no holders', async () => {
    const clock = new VirtualClock();
    const { calls, master } = setup(clock);
    expect(
      await run(
        clock,
        hedgedRace([], () => Promise.resolve(null), master(5), { hedgeMs: 300, clock }),
      ),
    ).toBe('master');
    expect(calls).toEqual([expect.objectContaining({ who: 'master', at: 0 })]);
  });

  it("calls everything off when the caller's signal aborts", async () => {
    const clock = new VirtualClock();
    const { calls, answer, master } = setup(clock);
    const reader = new AbortController();
    clock.after(400, () => reader.abort(new Error('the reader left')));
    await expect(
      run(
        clock,
        hedgedRace(['mute'], (holder, signal) => answer(holder, null)(signal), master(null), {
          hedgeMs: 300,
          clock,
          signal: reader.signal,
        }),
      ),
    ).rejects.toThrow('the reader left');
    expect(calls.map((call) => [call.who, call.signal.aborted])).toEqual([
      ['mute', true],
      ['master', true],
    ]);
  });
});
