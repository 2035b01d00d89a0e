import { describe, expect, it, vi } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReadAhead } from '../../core/stream/read-ahead.js';
import { windowedLive } from '../helpers/windowed-live.js';

/** `count` chunks of `seconds` each: a window of w chunks is then w * seconds of media. */
function timeline(count: number, seconds = 1): Array<{ index: number; start: number }> {
  return Array.from({ length: count }, (_, index) => ({ index, start: index * seconds }));
}

async function drain<T>(stream: ReadAhead<T>): Promise<number[]> {
  const order: number[] = [];
  for (;;) {
    const result = await stream.next();
    if (result.done) return order;
    order.push(result.index);
  }
}

describe('ReadAhead', () => {
  it('hands chunks out in order even when fetches finish out of order, then signals the end', async () => {
    const stream = new ReadAhead({
      start: 2,
      chunks: timeline(9),
      policy: { aheadSeconds: 4, fetchesAtOnce: 3 },
      fetch: async (index) => {
        await sleep((9 - index) * 3);
        return index * 10;
      },
    });
    expect(await drain(stream)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(await stream.next()).toEqual({ done: true });
  });

  it('says how soon each chunk is needed: the one waited on now, the rest by their distance', async () => {
    const due = new Map<number, number>();
    const stream = new ReadAhead({
      start: 3,
      chunks: timeline(8, 2),
      policy: { aheadSeconds: 6, fetchesAtOnce: 4 },
      fetch: async (index, _signal, dueInMs) => {
        if (!due.has(index)) due.set(index, dueInMs);
        return index;
      },
    });
    await stream.next();
    await stream.next();
    stream.close();
    // Chunk 3 alone until it is handed out; then 4-6 from position 4 (2 s chunks).
    expect(Object.fromEntries(due)).toEqual({ 3: 0, 4: 0, 5: 2_000, 6: 4_000, 7: 4_000 });
  });

  it('never has more than `concurrency` fetches in flight, and reads ahead up to the window', async () => {
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const stream = new ReadAhead({
      start: 0,
      chunks: timeline(20),
      policy: { aheadSeconds: 6, fetchesAtOnce: 2 },
      fetch: async (index) => {
        started.push(index);
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await sleep(2);
        inFlight -= 1;
        return index;
      },
    });
    await stream.next();
    // Idle once the window past chunk 0 is full: nothing more may start until the next read.
    await vi.waitFor(() => expect(started.includes(6) && inFlight === 0).toBe(true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(peak).toBeLessThanOrEqual(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(await drain(stream)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
  });

  it('reads ahead by media time: the same seconds hold more short chunks than long ones', async () => {
    // Chunks 0-6 last 1 s, chunks 7-9 last 4 s.
    const starts = [0, 1, 2, 3, 4, 5, 6, 10, 14, 18];
    const started: number[] = [];
    const stream = new ReadAhead({
      start: 0,
      chunks: starts.map((start, index) => ({ index, start })),
      policy: { aheadSeconds: 6, fetchesAtOnce: 8 },
      fetch: async (index) => {
        started.push(index);
        return index;
      },
    });
    const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    await stream.next();
    // At chunk 1 (1 s) the window runs to 7 s: six chunks.
    await vi.waitFor(() => expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]));
    for (let i = 1; i <= 3; i++) await stream.next();
    await settled();
    // At chunk 4 (4 s) it runs to 10 s, where chunk 7 starts: not in it.
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await stream.next();
    await settled();
    // At chunk 5 (5 s) it runs to 11 s: chunk 7 is in, chunk 8 (14 s) is not.
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await drain(stream)).toEqual([5, 6, 7, 8, 9]);
  });

  it('surfaces a failed chunk and fetches it again on the next call', async () => {
    let attempts = 0;
    const stream = new ReadAhead({
      start: 0,
      chunks: timeline(2),
      policy: { aheadSeconds: 10, fetchesAtOnce: 4 },
      fetch: async (index) => {
        if (index === 0 && attempts++ === 0) throw new Error('peer vanished');
        return index;
      },
    });
    await expect(stream.next()).rejects.toThrow('peer vanished');
    expect(await drain(stream)).toEqual([0, 1]);
  });

  it('aborts fetches and discards unplayed chunks when closed', async () => {
    const discarded: number[] = [];
    let aborted = 0;
    // Chunks 1 to 3 finish when the test says: one before the close, two after it.
    const finish = new Map<number, () => void>();
    const stream = new ReadAhead({
      start: 0,
      chunks: timeline(10),
      policy: { aheadSeconds: 3, fetchesAtOnce: 4 },
      fetch: async (index, signal) => {
        signal.addEventListener('abort', () => (aborted += 1));
        if (index > 0) await new Promise<void>((resolve) => finish.set(index, resolve));
        return index;
      },
      discard: (index) => discarded.push(index),
    });
    await stream.next();
    await vi.waitFor(() => expect([...finish.keys()].sort()).toEqual([1, 2, 3]));
    finish.get(1)!();
    // Its settlement runs in microtasks, all of which drain before the next macrotask.
    await new Promise((resolve) => setImmediate(resolve));
    expect(discarded).toEqual([]);
    stream.close();
    expect(aborted).toBeGreaterThan(0);
    expect(discarded).toEqual([1]);
    finish.get(2)!();
    finish.get(3)!();
    await vi.waitFor(() => expect(discarded.sort()).toEqual([1, 2, 3]));
    expect(await stream.next()).toEqual({ done: true });
  });

  it('reads a live stream whose window has slid (chunks 40-59) by index, to its last chunk', async () => {
    const started: Array<[number, number]> = [];
    const stream = new ReadAhead({
      start: 45,
      chunks: windowedLive().manifest.chunks,
      policy: { aheadSeconds: 3, fetchesAtOnce: 8 },
      fetch: async (index, _signal, dueInMs) => {
        started.push([index, dueInMs]);
        return index;
      },
    });
    expect(await stream.next()).toEqual({ done: false, index: 45, value: 45 });
    // From chunk 46 (46 s), 3 s of 1 s chunks, due by their distance from it.
    await vi.waitFor(() =>
      expect(started).toEqual([
        [45, 0],
        [46, 0],
        [47, 1_000],
        [48, 2_000],
      ]),
    );
    expect(await drain(stream)).toEqual(Array.from({ length: 14 }, (_, i) => 46 + i));
    expect(stream.nextIndex).toBe(60);
  });
});
