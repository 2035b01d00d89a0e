/**
 * The topology's chunk strips for a live stream whose DVR window has slid, without a browser: the
 * tree lists held chunks by index (40 and up), the strip draws the window the tree has got to, and
 * an on-demand video's strip is 0 to count - 1 as always.
 */
import { describe, expect, it } from 'vitest';
import type { TopologyNode } from '../../core/shared/api-types.js';
import { heldRuns, stripSpan } from '../../renderer/src/topology/strip-span.js';

function node(name: string, held: Record<string, number[]>, children: TopologyNode[] = []): TopologyNode {
  return {
    name,
    address: `tcp://127.0.0.1:${name.length}`,
    role: 'child',
    self: false,
    alive: true,
    chunks: held,
    children,
  };
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('stripSpan: which chunk indexes the strips show', () => {
  it('a live stream: the window as the page read it (40-59), moved on to the newest chunk the tree holds', () => {
    const tree = node('src', { cam: range(44, 63) }, [node('a', { cam: range(40, 50) }), node('b', {})]);
    expect(stripSpan(40, 20, tree, 'cam')).toEqual({ first: 44, count: 20 });
    // Not moved while the tree holds nothing past what the page read.
    expect(stripSpan(40, 20, node('src', { cam: range(40, 59) }), 'cam')).toEqual({ first: 40, count: 20 });
    // A library entry gives only a count: the tree places it.
    expect(stripSpan(0, 20, tree, 'cam')).toEqual({ first: 44, count: 20 });
  });

  it('an on-demand video stays at 0 to count - 1, and so does a tree not yet known or no video', () => {
    const tree = node('src', { movie: range(0, 19) }, [node('a', { movie: [3, 4] })]);
    expect(stripSpan(0, 20, tree, 'movie')).toEqual({ first: 0, count: 20 });
    expect(stripSpan(0, 20, null, 'movie')).toEqual({ first: 0, count: 20 });
    expect(stripSpan(0, 20, tree, null)).toEqual({ first: 0, count: 20 });
    expect(stripSpan(0, 20, tree, 'other')).toEqual({ first: 0, count: 20 });
  });
});

describe('heldRuns: runs of held chunks inside the span, by index', () => {
  it('counts a slid window by index, leaving out what lies outside it', () => {
    const held = new Set([38, 39, 40, 41, 45, 46, 47, 59, 60]);
    expect(heldRuns(held, { first: 40, count: 20 })).toEqual([
      [40, 2],
      [45, 3],
      [59, 1],
    ]);
  });

  it('an on-demand video from 0', () => {
    expect(heldRuns(new Set([0, 1, 2, 5, 19, 20]), { first: 0, count: 20 })).toEqual([
      [0, 3],
      [5, 1],
      [19, 1],
    ]);
  });
});
