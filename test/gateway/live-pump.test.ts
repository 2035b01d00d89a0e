import { afterEach, describe, expect, it, vi } from 'vitest';
import { LivePump } from '../../core/gateway/live-pump.js';
import type { LiveUpdate, NodeStats } from '../../core/shared/api-types.js';

const stats = (name: string): LiveUpdate => ({ type: 'stats', stats: { name } as NodeStats });

afterEach(() => vi.useRealTimers());

describe('LivePump', () => {
  it('ticks only while someone listens, and every listener gets every update', async () => {
    vi.useFakeTimers();
    let ticks = 0;
    const pump = new LivePump([{ everyMs: 1_000, updates: () => [stats(`tick ${++ticks}`)] }], () => {});
    await vi.advanceTimersByTimeAsync(5_000);
    expect(ticks).toBe(0);
    const first: LiveUpdate[] = [];
    const second: LiveUpdate[] = [];
    const offFirst = pump.subscribe((update) => first.push(update));
    const offSecond = pump.subscribe((update) => second.push(update));
    await vi.advanceTimersByTimeAsync(3_000);
    expect(first.map((update) => update.type === 'stats' && update.stats.name)).toEqual([
      'tick 1',
      'tick 2',
      'tick 3',
    ]);
    expect(second).toEqual(first);
    offFirst();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(first).toHaveLength(3);
    expect(second).toHaveLength(4);
    offSecond();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(ticks).toBe(4);
  });

  it('reports a clock that fails and keeps ticking', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    let calls = 0;
    const pump = new LivePump(
      [
        {
          everyMs: 500,
          updates: async () => {
            if (++calls === 1) throw new Error('topology unavailable');
            return [stats('after')];
          },
        },
      ],
      (error) => errors.push(error),
    );
    const got: LiveUpdate[] = [];
    pump.subscribe((update) => got.push(update));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(errors.map(String)).toEqual(['Error: topology unavailable']);
    expect(got).toHaveLength(1);
    pump.close();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(got).toHaveLength(1);
  });
});
