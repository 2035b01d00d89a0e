import { describe, expect, it } from 'vitest';
import { LivePlayout } from '../../core/stream/live-playout.js';

/** Chunk `index` of a 1 s-chunk stream whose chunk 0 was captured at t = 0. */
const chunk = (index: number) => ({ index, duration: 1, captureTime: index * 1000 });

describe('LivePlayout: what a live viewer sees, from when chunks arrive', () => {
  it('plays chunks back to back when each is there before the one before runs out', () => {
    const playout = new LivePlayout();
    // Joined at chunk 5 at t = 7.2 s (chunks 5 and 6 fetched together), then one a second.
    expect(playout.arrived(chunk(5), 7_200)).toMatchObject({
      shownAt: 7_200,
      behindSeconds: 2.2,
      stallMs: 0,
    });
    expect(playout.arrived(chunk(6), 7_250)).toMatchObject({
      shownAt: 8_200,
      behindSeconds: 2.2,
      stallMs: 0,
    });
    expect(playout.arrived(chunk(7), 9_100)).toMatchObject({ shownAt: 9_200, stallMs: 0 });
    expect(playout.stalls()).toEqual({ count: 0, totalMs: 0, longestMs: 0 });
  });

  it('stalls when a chunk comes after the picture ran out, and counts how long', () => {
    const playout = new LivePlayout();
    playout.arrived(chunk(5), 7_200);
    const late = playout.arrived(chunk(6), 8_900);
    expect(late).toMatchObject({ shownAt: 8_900, stallMs: 700 });
    playout.arrived(chunk(7), 9_400);
    playout.arrived(chunk(8), 11_400);
    expect(playout.stalls()).toEqual({ count: 2, totalMs: 700 + 500, longestMs: 700 });
  });

  it('catches up after a stall at a gentle rate, so a chunk then plays out sooner than its length', () => {
    const playout = new LivePlayout(2);
    // 5 s behind: more than half a second past the 3 s the target and the edge's age come to.
    const behind = playout.arrived(chunk(5), 10_000);
    expect(behind.rate).toBe(1.05);
    const next = playout.arrived(chunk(6), 10_000);
    expect(next.shownAt).toBeCloseTo(10_000 + 1000 / 1.05, 6);
    expect(next.behindSeconds!).toBeLessThan(5);
  });

  it('plays at normal speed within half a second of its target', () => {
    const playout = new LivePlayout(2);
    expect(playout.arrived(chunk(5), 8_400).rate).toBe(1);
  });

  it('shows no latency for a chunk without a capture time, and still plays it', () => {
    const playout = new LivePlayout();
    const sample = playout.arrived({ index: 0, duration: 1 }, 1_000);
    expect(sample).toMatchObject({ behindSeconds: null, rate: 1, stallMs: 0 });
    expect(playout.arrived({ index: 1, duration: 1 }, 1_500).shownAt).toBe(2_000);
  });
});
