import type { TopologyNode } from '../api/types.ts';

/**
 * Which chunks the topology's strips show, as chunk indexes (what /api/topology lists per node): an
 * on-demand video's are 0 to count - 1, but a live stream's list starts wherever its DVR window has
 * got to and slides on as the stream grows. Its tree updates every second; the manifest or library
 * entry the page read does not. So a strip ends at the newest chunk any node in the tree holds when
 * that is past the list the page knows, and spans as many chunks as that list. No holder of an
 * on-demand video holds a chunk past its end, so its strip stays where it always was.
 */
export interface StripSpan {
  /** The index of the strip's first tick. */
  first: number;
  count: number;
}

/** The span `count` chunks from `first` (as listed when the page read them), moved on to the tree's newest. */
export function stripSpan(
  first: number,
  count: number,
  root: TopologyNode | null,
  video: string | null,
): StripSpan {
  const newest = video === null || root === null ? -1 : newestHeld(root, video);
  return { first: Math.max(first, newest + 1 - count), count };
}

/** The highest chunk index any node of the tree holds of `video` (-1 for none). */
function newestHeld(root: TopologyNode, video: string): number {
  let newest = -1;
  const pending = [root];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    for (const index of node.chunks[video] ?? []) if (index > newest) newest = index;
    pending.push(...node.children);
  }
  return newest;
}

/** [first index, length] of each run of consecutive held chunks inside `span`, in order. */
export function heldRuns(held: ReadonlySet<number>, span: StripSpan): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (let index = span.first; index < span.first + span.count; index++) {
    if (!held.has(index)) continue;
    const last = runs.at(-1);
    if (last !== undefined && last[0] + last[1] === index) last[1] += 1;
    else runs.push([index, 1]);
  }
  return runs;
}
