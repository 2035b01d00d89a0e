import { describe, expect, it } from 'vitest';
import { ChunkGrouper, type TimedFragment } from '../../core/media/chunk-grouper.js';
import { keyframeNote } from '../../core/media/keyframe-note.js';
import type { ChunkTarget } from '../../core/media/chunk-options.js';

/** Fragments as ffmpeg's frag_keyframe writes them for a remux: one per GOP, each starting on a keyframe. */
function cut(target: ChunkTarget, gopSeconds: number, seconds: number): ChunkGrouper {
  const grouper = new ChunkGrouper(target);
  for (let start = 0; start < seconds; start += gopSeconds) {
    const end = Math.min(seconds, start + gopSeconds);
    const fragment: TimedFragment = { parts: [Buffer.alloc(4)], bytes: 4, start, end, startsWithSync: true };
    grouper.add(fragment);
  }
  grouper.finish(seconds);
  return grouper;
}

describe('ChunkGrouper.spacing', () => {
  it('reports the keyframe gap and the chunk length the cut produced', () => {
    expect(cut({ by: 'duration', seconds: 2 }, 8, 30).spacing()).toEqual({
      keyframeSeconds: 8,
      chunkSeconds: 8,
    });
    expect(cut({ by: 'duration', seconds: 2 }, 1, 10).spacing()).toEqual({
      keyframeSeconds: 1,
      chunkSeconds: 2,
    });
  });

  it('has no keyframe gap when only the first fragment starts with one', () => {
    const grouper = new ChunkGrouper({ by: 'duration', seconds: 2 });
    grouper.add({ parts: [], bytes: 0, start: 0, end: 3, startsWithSync: true });
    grouper.add({ parts: [], bytes: 0, start: 3, end: 6, startsWithSync: false });
    grouper.finish(6);
    expect(grouper.spacing()).toEqual({ keyframeSeconds: null, chunkSeconds: 6 });
  });
});

describe('keyframeNote', () => {
  const twoSeconds: ChunkTarget = { by: 'duration', seconds: 2 };

  it('says, in one line, why chunks follow 8 s keyframes instead of the 2 s asked for', () => {
    const note = keyframeNote('movie.mp4', twoSeconds, cut(twoSeconds, 8, 30).spacing());
    expect(note?.message).toBe(
      'keyframes in movie.mp4 are 8.0 s apart, so chunks follow them: about 8 s each, not 2 s; re-encode with a shorter GOP to get 2 s chunks',
    );
    expect(note).toMatchObject({ keyframeSeconds: 8, chunkSeconds: 8, targetSeconds: 2 });
  });

  it('names a video with a single keyframe as one long chunk', () => {
    const note = keyframeNote(
      'still.mp4',
      { by: 'duration', seconds: 0.5 },
      {
        keyframeSeconds: null,
        chunkSeconds: 6.04,
      },
    );
    expect(note?.message).toBe(
      'still.mp4 has a keyframe only at its start, so it is one chunk of about 6 s, not 0.5 s chunks; re-encode with a shorter GOP to get 0.5 s chunks',
    );
  });

  it.each<[string, ChunkTarget, number]>([
    ['keyframes every second, 2 s chunks', twoSeconds, 1],
    ['keyframes at the target', twoSeconds, 2],
    ['keyframes a little over the target', twoSeconds, 2.5],
    ['the common 2 s GOP under the 1 s default', { by: 'duration', seconds: 1 }, 2],
    ['a target longer than the GOP', { by: 'duration', seconds: 8 }, 8],
    ['chunks cut by bytes', { by: 'size', bytes: 1 << 20 }, 8],
  ])('says nothing for %s', (_what, target, gop) => {
    expect(keyframeNote('movie.mp4', target, cut(target, gop, 30).spacing())).toBeNull();
  });
});
