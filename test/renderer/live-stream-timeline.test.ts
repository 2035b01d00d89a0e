/**
 * The feed's chunk arithmetic on a live stream's list, without a browser: the list starts wherever
 * the DVR window has got to, and the feed counts chunks by index, not by place in the list.
 */
import { describe, expect, it } from 'vitest';
import type { ChunkEntry } from '../../core/shared/manifest.js';
import { chunkIndexOfTime, firstListed, nextChunkToAppend } from '../../renderer/src/feed/timeline.js';

/** Chunks `from` to `to` (inclusive), 1 s each, chunk i at i seconds. */
function listed(from: number, to: number): ChunkEntry[] {
  const chunks: ChunkEntry[] = [];
  for (let index = from; index <= to; index++)
    chunks.push({ index, start: index, duration: 1, size: 100, sha256: 'a'.repeat(64) });
  return chunks;
}

describe('a slid window', () => {
  const chunks = listed(40, 52);

  it('counts from the first chunk listed', () => {
    expect(firstListed(chunks)).toBe(40);
    expect(firstListed(listed(0, 3))).toBe(0);
    expect(chunkIndexOfTime(chunks, 45.5)).toBe(45);
    // Before the window: its oldest chunk, not one it dropped.
    expect(chunkIndexOfTime(chunks, 3)).toBe(40);
  });

  it('appends next the chunk after what is buffered, or one past the newest at the edge', () => {
    expect(nextChunkToAppend(chunks, [], 50.2, 53)).toBe(50);
    expect(nextChunkToAppend(chunks, [[48, 51]], 49, 53)).toBe(51);
    // Buffered to the newest end: the next is the one the stream has not cut yet.
    expect(nextChunkToAppend(chunks, [[48, 53]], 50, 53)).toBe(53);
  });

  it('leaves an on-demand video as it was: index and place are one', () => {
    const video = listed(0, 9);
    expect(nextChunkToAppend(video, [[0, 4]], 1, 10)).toBe(4);
    expect(nextChunkToAppend(video, [[0, 10]], 1, 10)).toBe(10);
  });
});
