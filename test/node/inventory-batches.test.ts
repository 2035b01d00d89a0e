/**
 * A child's inventory reaches its master in requests of at most MAX_REQUEST_BYTES: a register with
 * a first part and reports with the rest (test/roles/bounded-resources.test.ts runs it end to end).
 */
import { describe, expect, it } from 'vitest';
import { splitInventory } from '../../core/node/inventory.js';
import { PendingChanges } from '../../core/node/pending-changes.js';

describe('splitInventory', () => {
  it('takes at most the budget of indexes and videos, and returns the rest by video', () => {
    const { first, rest } = splitInventory(
      [
        { video: 'a', indexes: [0, 1, 2] },
        { video: 'b', indexes: [5, 6, 7] },
        { video: 'c', indexes: [9] },
      ],
      4,
      2,
    );
    expect(first).toEqual([
      { video: 'a', indexes: [0, 1, 2] },
      { video: 'b', indexes: [5] },
    ]);
    expect(rest).toEqual(
      new Map([
        ['b', new Set([6, 7])],
        ['c', new Set([9])],
      ]),
    );
  });

  it('leaves nothing over when the inventory fits', () => {
    const { first, rest } = splitInventory([{ video: 'a', indexes: [0] }], 4, 2);
    expect(first).toEqual([{ video: 'a', indexes: [0] }]);
    expect(rest.size).toBe(0);
  });
});

describe('PendingChanges.takeBatch', () => {
  it('takes added first, then removed, within the budget, and keeps the rest for the next', () => {
    const pending = new PendingChanges();
    for (const index of [0, 1, 2]) pending.add('a', index, true);
    pending.add('b', 9, false);
    const batch = pending.takeBatch(2, 32);
    expect(batch.added).toEqual(new Map([['a', new Set([0, 1])]]));
    expect(batch.removed.size).toBe(0);
    const next = pending.takeBatch(2, 32);
    expect(next.added).toEqual(new Map([['a', new Set([2])]]));
    expect(next.removed).toEqual(new Map([['b', new Set([9])]]));
    expect(pending.empty).toBe(true);
  });

  it('names at most the budget of videos per list', () => {
    const pending = new PendingChanges();
    for (const video of ['a', 'b', 'c']) pending.add(video, 0, true);
    expect([...pending.takeBatch(100, 2).added.keys()]).toEqual(['a', 'b']);
    expect([...pending.takeBatch(100, 2).added.keys()]).toEqual(['c']);
  });
});
