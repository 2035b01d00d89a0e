import type { ChunkEntry } from '../api/types.ts';
import { chunkIndexAt } from '../../../core/shared/manifest.js';

/** [start, end] in seconds. */
export type Range = readonly [number, number];

/** The part of TimeRanges read here (named structurally so this module needs no DOM types: tests run it in Node). */
interface TimeRangeList {
  readonly length: number;
  start(index: number): number;
  end(index: number): number;
}

export function rangesOf(buffered: TimeRangeList): Range[] {
  const ranges: Range[] = [];
  for (let i = 0; i < buffered.length; i++) ranges.push([buffered.start(i), buffered.end(i)]);
  return ranges;
}

/** A small tolerance: audio and video tracks rarely end on exactly the same timestamp. */
const SLOP = 0.15;

export function rangeContaining(ranges: readonly Range[], seconds: number): Range | undefined {
  return ranges.find(([start, end]) => seconds >= start - SLOP && seconds < end);
}

export function bufferAhead(ranges: readonly Range[], seconds: number): number {
  const range = rangeContaining(ranges, seconds);
  return range === undefined ? 0 : Math.max(0, range[1] - seconds);
}

/**
 * The index of the first chunk listed. An on-demand video lists chunk i at position i (0 first); a
 * live stream's list starts wherever its DVR window has got to. The feed counts in chunk indexes,
 * which stay put as the window slides, and turns them into positions in the list it has with this.
 */
export function firstListed(chunks: readonly Pick<ChunkEntry, 'index'>[]): number {
  return chunks[0]?.index ?? 0;
}

/** The index of the chunk holding media time `seconds` (the first listed before it). */
export function chunkIndexOfTime(chunks: readonly ChunkEntry[], seconds: number): number {
  return firstListed(chunks) + chunkIndexAt(chunks, seconds);
}

/**
 * The index of the chunk to append next when playing from `seconds`: if that time is already
 * buffered, the chunk after the end of that buffered run; otherwise the chunk holding the time itself.
 * One past the newest listed when the buffer reaches the end (`duration`).
 */
export function nextChunkToAppend(
  chunks: readonly ChunkEntry[],
  ranges: readonly Range[],
  seconds: number,
  duration: number,
): number {
  const range = rangeContaining(ranges, seconds);
  if (range === undefined) return chunkIndexOfTime(chunks, seconds);
  if (range[1] >= duration - SLOP) return firstListed(chunks) + chunks.length;
  return chunkIndexOfTime(chunks, range[1] - SLOP) + 1;
}

/**
 * Buffered spans outside [keepFrom, keepTo]: what may be removed to keep memory bounded. Spans
 * shorter than `minimum` are left for later so removal is done in batches, not every timeupdate.
 */
export function removableSpans(
  ranges: readonly Range[],
  keepFrom: number,
  keepTo: number,
  minimum: number,
): Range[] {
  const spans: Range[] = [];
  for (const [start, end] of ranges) {
    if (start < keepFrom) {
      const stop = Math.min(end, keepFrom);
      if (stop - start >= minimum) spans.push([start, stop]);
    }
    if (end > keepTo) {
      const from = Math.max(start, keepTo);
      if (end - from >= minimum) spans.push([from, end]);
    }
  }
  return spans;
}
