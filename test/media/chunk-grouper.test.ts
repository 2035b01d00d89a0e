import { describe, expect, it } from 'vitest';
import { ChunkGrouper, type TimedFragment } from '../../core/media/chunk-grouper.js';

function fragment(start: number, end: number, bytes: number, startsWithSync = true): TimedFragment {
  return { parts: [Buffer.alloc(bytes, start)], bytes, start, end, startsWithSync };
}

describe('ChunkGrouper', () => {
  it('closes a chunk at the first sync fragment once the target duration is reached', () => {
    const grouper = new ChunkGrouper({ by: 'duration', seconds: 2 });
    const starts = [0.07, 0.7, 3.1, 3.5, 6.2, 7.4];
    const closed = starts.map((start, i) => grouper.add(fragment(start, starts[i + 1] ?? 9, 10)));
    const last = grouper.finish(9.07);
    const chunks = [...closed.filter((c) => c !== null), last];
    expect(chunks.map((c) => [c!.index, c!.start, c!.duration, c!.bytes.length])).toEqual([
      [0, 0, 3.1, 20],
      [1, 3.1, 3.1, 20],
      [2, 6.2, 2.87, 20],
    ]);
  });

  it('never starts a chunk at a fragment that does not begin with a sync sample', () => {
    const grouper = new ChunkGrouper({ by: 'duration', seconds: 1 });
    expect(grouper.add(fragment(0, 2, 5))).toBeNull();
    expect(grouper.add(fragment(2, 4, 5, false))).toBeNull();
    expect(grouper.add(fragment(4, 6, 5))).toMatchObject({ index: 0, start: 0, duration: 4 });
  });

  it('groups by bytes: closes once the chunk holds at least the target', () => {
    const grouper = new ChunkGrouper({ by: 'size', bytes: 100 });
    const sizes = [60, 30, 20, 90, 40, 120, 10];
    const closed = sizes.map((size, i) => grouper.add(fragment(i, i + 1, size))).filter((c) => c !== null);
    const last = grouper.finish(sizes.length);
    expect([...closed, last].map((c) => c!.bytes.length)).toEqual([110, 130, 120, 10]);
  });

  it('returns nothing to finish when no fragment came', () => {
    expect(new ChunkGrouper({ by: 'duration', seconds: 2 }).finish(5)).toBeNull();
  });

  it('closes early at a keyframe rather than pass the chunk limit', () => {
    const grouper = new ChunkGrouper({ by: 'duration', seconds: 10 }, 100);
    expect(grouper.add(fragment(0, 1, 60))).toBeNull();
    // 60 + 50 would pass 100: the chunk closes at 1 s, though 10 s were asked for.
    expect(grouper.add(fragment(1, 2, 50))).toMatchObject({ index: 0, start: 0, duration: 1 });
    expect(grouper.finish(2)!.bytes.length).toBe(50);
  });

  it('refuses, as the media streams in, keyframes too far apart for one chunk', () => {
    const grouper = new ChunkGrouper({ by: 'duration', seconds: 2 }, 100);
    grouper.add(fragment(0, 1, 60));
    // No keyframe to close at: the bytes since the last one cannot fit any chunk.
    expect(() => grouper.add(fragment(1, 2, 50, false))).toThrow(
      expect.objectContaining({
        code: 'CHUNK_TOO_LARGE',
        message: expect.stringMatching(
          /0\.0 MiB from its keyframe at 0\.0 s to the next, more than one chunk may hold .*Re-encode it with a keyframe every few seconds/,
        ) as unknown,
      }),
    );
    // A single fragment past the limit is refused the same way.
    expect(() => new ChunkGrouper({ by: 'duration', seconds: 2 }, 100).add(fragment(0, 1, 101))).toThrow(
      /more than one chunk may hold/,
    );
  });
});
