/**
 * The stall counter, without a browser: a stall is told apart by whether the feed had delivered
 * media past the play head when the element started waiting.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StallTracker } from '../../renderer/src/player/stall-tracker.js';

/** The part of an HTMLVideoElement the tracker reads: the play head and one buffered range. */
function element(buffered: [number, number] | null) {
  const video = {
    currentTime: 0,
    seeking: false,
    ended: false,
    buffered: {
      length: buffered ? 1 : 0,
      start: () => buffered![0],
      end: () => buffered![1],
    },
  };
  return video;
}

afterEach(() => vi.useRealTimers());

describe('StallTracker', () => {
  it('counts a stall that began with the buffer empty as starved, one with media in hand as not', () => {
    vi.useFakeTimers();
    const empty = element([0, 10.2]);
    const tracker = new StallTracker(empty);
    tracker.onPlaying();
    empty.currentTime = 10.1; // 0.1 s left: the feed is late
    tracker.onWaiting();
    vi.advanceTimersByTime(300);
    tracker.onPlaying();
    empty.buffered = { length: 1, start: () => 0, end: () => 30 };
    empty.currentTime = 12; // 18 s in hand: the decoder fell behind
    tracker.onWaiting();
    vi.advanceTimersByTime(200);
    tracker.onPlaying();
    expect(tracker.snapshot()).toEqual({ count: 2, totalMs: 500, starved: 1 });
  });

  it('leaves out waits shorter than two frames, and waits caused by a seek', () => {
    vi.useFakeTimers();
    const video = element(null);
    const tracker = new StallTracker(video);
    tracker.onPlaying();
    tracker.onWaiting();
    vi.advanceTimersByTime(20);
    tracker.onPlaying();
    video.seeking = true;
    tracker.onWaiting();
    vi.advanceTimersByTime(1_000);
    tracker.onPlaying();
    expect(tracker.snapshot()).toEqual({ count: 0, totalMs: 0, starved: 0 });
  });

  it('includes a stall still in progress, with its cause', () => {
    vi.useFakeTimers();
    const video = element(null);
    const tracker = new StallTracker(video);
    tracker.onPlaying();
    tracker.onWaiting();
    vi.advanceTimersByTime(250);
    expect(tracker.snapshot()).toEqual({ count: 1, totalMs: 250, starved: 1 });
  });
});
