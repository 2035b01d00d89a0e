import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HashSlots, sha256HexAsync } from '../../core/util/hash.js';

describe('sha256HexAsync', () => {
  it('gives each of many concurrent buffers its own digest, as createHash does', async () => {
    const buffers = Array.from({ length: 24 }, (_, i) => Buffer.alloc(64 * 1024 + i, i));
    const digests = await Promise.all(buffers.map((bytes) => sha256HexAsync(bytes)));
    expect(digests).toEqual(buffers.map((bytes) => createHash('sha256').update(bytes).digest('hex')));
  });
});

describe('HashSlots', () => {
  it('never runs more tasks at once than its limit, and starts them in the order they came', async () => {
    const slots = new HashSlots(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const task = (id: number) => async (): Promise<number> => {
      started.push(id);
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
      return id;
    };
    const results = await Promise.all(Array.from({ length: 10 }, (_, id) => slots.run(task(id))));
    expect(results).toEqual([...Array(10).keys()]);
    expect(started).toEqual([...Array(10).keys()]);
    expect(peak).toBe(2);
  });

  it('frees the slot of a task that fails, so the ones behind it still run', async () => {
    const slots = new HashSlots(1);
    const failing = slots.run(() => Promise.reject(new Error('bad bytes')));
    const next = slots.run(() => Promise.resolve('ran'));
    await expect(failing).rejects.toThrow('bad bytes');
    await expect(next).resolves.toBe('ran');
  });
});
