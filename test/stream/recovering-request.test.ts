import { describe, expect, it } from 'vitest';
import { requestWithRecovery } from '../../core/stream/recovering-request.js';
import { PeerStreamerError } from '../../core/util/errors.js';

/** A fake clock the sleeps advance, so a test of waits takes no time. */
function clock(): { now: () => number; sleep: (ms: number) => Promise<void>; waits: number[] } {
  let time = 0;
  const waits: number[] = [];
  return {
    now: () => time,
    sleep: (ms) => {
      waits.push(ms);
      time += ms;
      return Promise.resolve();
    },
    waits,
  };
}

const failing = (code: 'UNREACHABLE' | 'TIMEOUT' | 'OVERLOADED' | 'CHUNK_NOT_FOUND') =>
  new PeerStreamerError(code, `injected ${code}`);

describe('requestWithRecovery', () => {
  it('asks again while the node answers UNREACHABLE, TIMEOUT or OVERLOADED, waiting longer each time', async () => {
    const time = clock();
    const answers = [failing('UNREACHABLE'), failing('TIMEOUT'), failing('OVERLOADED'), 'chunk'];
    const result = await requestWithRecovery(
      () => {
        const next = answers.shift()!;
        return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
      },
      { budgetMs: 10_000, ...time },
    );
    expect(result).toBe('chunk');
    expect(time.waits).toEqual([250, 500, 1_000]);
  });

  it('gives up with the last error once the budget is spent', async () => {
    const time = clock();
    let tries = 0;
    const attempt = (): Promise<never> => {
      tries += 1;
      return Promise.reject(failing('UNREACHABLE'));
    };
    await expect(requestWithRecovery(attempt, { budgetMs: 5_000, ...time })).rejects.toThrow(
      'injected UNREACHABLE',
    );
    // 250 + 500 + 1000 + 2000 = 3750 ms of waits; a further 2 s wait would pass 5 s.
    expect(time.waits).toEqual([250, 500, 1_000, 2_000]);
    expect(tries).toBe(5);
  });

  it('passes other errors on at once: retrying cannot make a missing chunk appear', async () => {
    const time = clock();
    await expect(
      requestWithRecovery(() => Promise.reject(failing('CHUNK_NOT_FOUND')), { budgetMs: 5_000, ...time }),
    ).rejects.toThrow('injected CHUNK_NOT_FOUND');
    await expect(
      requestWithRecovery(() => Promise.reject(new Error('not ours')), { budgetMs: 5_000, ...time }),
    ).rejects.toThrow('not ours');
    expect(time.waits).toEqual([]);
  });
});
