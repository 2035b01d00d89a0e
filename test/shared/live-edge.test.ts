import { describe, expect, it } from 'vitest';
import {
  LIVE_TARGET_SECONDS,
  catchUpRate,
  liveStartIndex,
  secondsBehindLive,
} from '../../core/shared/live-edge.js';

/** A live list from index `first`: 1 s chunks, the first frame of each captured at its start. */
function liveChunks(first: number, count: number, capturedAtZero = 1_000_000) {
  return Array.from({ length: count }, (_, offset) => {
    const start = first + offset;
    return { start, duration: 1, captureTime: capturedAtZero + start * 1000 };
  });
}

describe('liveStartIndex: where a joining viewer starts', () => {
  it('is the last chunk starting at least the target before the newest chunk ends', () => {
    // Chunks 40..49 (a DVR window), ending at 50 s: 2 s back is 48 s, chunk position 8.
    const chunks = liveChunks(40, 10);
    expect(liveStartIndex(chunks)).toBe(8);
    expect(chunks[liveStartIndex(chunks)]!.start).toBe(50 - LIVE_TARGET_SECONDS);
    expect(liveStartIndex(chunks, 4.5)).toBe(5);
  });

  it('is the chunk at the target when frame times put its start a hair short of it', () => {
    // 30 fps: chunk boundaries are sums of 1/30 s, and 2 s back from the edge can come out 1.9999 s.
    const chunks = liveChunks(40, 10).map((chunk, position) =>
      position === 8 ? { ...chunk, start: chunk.start + 1e-4, duration: chunk.duration - 1e-4 } : chunk,
    );
    expect(liveStartIndex(chunks)).toBe(8);
    // A whole chunk short is not the target's chunk: the one before it is.
    expect(liveStartIndex(liveChunks(40, 10), 2.5)).toBe(7);
  });

  it('is the first chunk of a stream shorter than the target, and 0 for none', () => {
    expect(liveStartIndex(liveChunks(0, 1))).toBe(0);
    expect(liveStartIndex([])).toBe(0);
    expect(liveStartIndex(liveChunks(0, 3), 60)).toBe(0);
  });
});

describe('secondsBehindLive: from capture to display', () => {
  it('is now less the capture time of the frame at the play head', () => {
    const chunks = liveChunks(0, 10);
    // The frame at 7.25 s was captured at 1,007,250 ms; at 1,010,500 ms it is 3.25 s behind.
    expect(secondsBehindLive(chunks, 7.25, 1_010_500)).toBeCloseTo(3.25, 6);
  });

  it('is unknown without a capture time, or off the listed chunks', () => {
    const chunks = liveChunks(10, 5);
    expect(secondsBehindLive(chunks, 3, 1_020_000)).toBeNull();
    expect(secondsBehindLive(chunks, 30, 1_020_000)).toBeNull();
    expect(secondsBehindLive([{ start: 0, duration: 1 }], 0.5, 5_000)).toBeNull();
  });
});

describe('catchUpRate: catching up gently', () => {
  it('plays at normal speed at the target, the edge’s own age allowed for', () => {
    expect(catchUpRate(LIVE_TARGET_SECONDS)).toBe(1);
    expect(catchUpRate(LIVE_TARGET_SECONDS + 1.5)).toBe(1);
    expect(catchUpRate(0.2)).toBe(1);
  });

  it('speeds up by 5 % past half a second late and by 10 % past 3 s, never more', () => {
    expect(catchUpRate(LIVE_TARGET_SECONDS + 1.6)).toBe(1.05);
    expect(catchUpRate(LIVE_TARGET_SECONDS + 4)).toBe(1.05);
    expect(catchUpRate(LIVE_TARGET_SECONDS + 4.1)).toBe(1.1);
    expect(catchUpRate(600)).toBe(1.1);
  });

  it('plays at normal speed when lateness is not a number', () => {
    expect(catchUpRate(Number.NaN)).toBe(1);
  });
});
