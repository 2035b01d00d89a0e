import { describe, expect, it } from 'vitest';
import { chunkAtTime, chunkIndexAt, legacyManifest } from '../../core/shared/manifest.js';
import { MAX_VIDEO_NAME_BYTES, videoNameProblem } from '../../core/shared/video-name.js';
import { assertVideoName } from '../../core/util/video-name-check.js';
import { windowedLive } from '../helpers/windowed-live.js';

/** Chunks starting at 0, 2, 4.5 and 8 s. */
const chunks = [0, 2, 4.5, 8].map((start) => ({ start }));

describe('chunkIndexAt (one search for the node and the player)', () => {
  it('finds the last chunk starting at or before the time', () => {
    expect(chunkIndexAt(chunks, 0)).toBe(0);
    expect(chunkIndexAt(chunks, 1.99)).toBe(0);
    expect(chunkIndexAt(chunks, 2)).toBe(1);
    expect(chunkIndexAt(chunks, 4.4)).toBe(1);
    expect(chunkIndexAt(chunks, 4.5)).toBe(2);
    expect(chunkIndexAt(chunks, 7.9)).toBe(2);
    expect(chunkIndexAt(chunks, 8)).toBe(3);
  });

  it('clamps: before the start is chunk 0, past the end the last chunk, no chunks is 0', () => {
    expect(chunkIndexAt(chunks, -5)).toBe(0);
    expect(chunkIndexAt(chunks, 1e9)).toBe(3);
    expect(chunkIndexAt([], 3)).toBe(0);
  });

  it('agrees with a linear scan on many random timelines', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let round = 0; round < 200; round++) {
      const starts: Array<{ start: number }> = [];
      let t = 0;
      for (let i = 0; i < 1 + Math.floor(random() * 40); i++, t += 0.5 + random() * 4)
        starts.push({ start: t });
      const at = random() * (t + 4) - 2;
      const linear = starts.reduce((found, chunk, index) => (chunk.start <= at ? index : found), 0);
      expect(chunkIndexAt(starts, at)).toBe(linear);
    }
  });

  it('chunkAtTime is 0 for a legacy video, which has no times', () => {
    expect(chunkAtTime(legacyManifest('old', [{ size: 10, sha256: 'a'.repeat(64) }]), 30)).toBe(0);
  });

  it('chunkAtTime gives an index: a live stream whose window slid lists chunks 40-59', () => {
    const live = windowedLive().manifest;
    expect(chunkAtTime(live, 45.5)).toBe(45);
    // Before the window, the first chunk listed; past the end, the last.
    expect(chunkAtTime(live, 0)).toBe(40);
    expect(chunkAtTime(live, 1e9)).toBe(59);
  });
});

describe('video names (rules in core/shared, usable by the renderer)', () => {
  it('counts the limit in UTF-8 bytes, without Node’s Buffer', () => {
    const threeByteCharacters = '€'.repeat(Math.floor(MAX_VIDEO_NAME_BYTES / 3));
    expect(videoNameProblem(threeByteCharacters)).toBeNull();
    expect(videoNameProblem(`${threeByteCharacters}€`)).toBe(
      `it is longer than ${MAX_VIDEO_NAME_BYTES} bytes`,
    );
  });

  it('assertVideoName names the input and what is allowed', () => {
    expect(() => assertVideoName('a/b', 'video name')).toThrow(
      /video name "a\/b" is not allowed: it contains a path separator\. Use letters/,
    );
    expect(() => assertVideoName('fine name')).not.toThrow();
  });
});
