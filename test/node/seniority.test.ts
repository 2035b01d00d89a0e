import { describe, expect, it } from 'vitest';
import { outranks } from '../../core/node/seniority.js';

const MINUTE = 60_000;

describe('outranks (who belongs higher in the tree)', () => {
  it('takes 1.25 times the uptime and 2 s more, so near-equals never pass each other', () => {
    expect(outranks({ uptimeMs: 10 * MINUTE }, { uptimeMs: MINUTE })).toBe(true);
    expect(outranks({ uptimeMs: 61 * MINUTE }, { uptimeMs: 60 * MINUTE })).toBe(false);
    expect(outranks({ uptimeMs: 75 * MINUTE + 2_000 }, { uptimeMs: 60 * MINUTE })).toBe(true);
    expect(outranks({ uptimeMs: 75 * MINUTE + 1_999 }, { uptimeMs: 60 * MINUTE })).toBe(false);
    // A master a moment old is not passed by a node a moment older: the margin covers the wire.
    expect(outranks({ uptimeMs: 1_500 }, { uptimeMs: 0 })).toBe(false);
    // Never both ways.
    expect(outranks({ uptimeMs: MINUTE }, { uptimeMs: 10 * MINUTE })).toBe(false);
  });

  it('never lets a node take a place where it would take fewer children', () => {
    const old = { uptimeMs: 10 * MINUTE };
    const young = { uptimeMs: MINUTE };
    expect(outranks({ ...old, maxChildren: 2 }, { ...young, maxChildren: 4 })).toBe(false);
    expect(outranks({ ...old, maxChildren: 4 }, { ...young, maxChildren: 4 })).toBe(true);
    // No limit counts as more than any.
    expect(outranks(old, { ...young, maxChildren: 100_000 })).toBe(true);
    expect(outranks({ ...old, maxChildren: 100_000 }, young)).toBe(false);
    // A leaf never passes a master that takes children.
    expect(outranks({ ...old, maxChildren: 0 }, { ...young, maxChildren: 1 })).toBe(false);
  });
});
