import { catchUpRate, LIVE_TARGET_SECONDS } from '../shared/live-edge.js';

/** What the model needs of a chunk; a chunk from before capture times has none. */
type PlayedChunk = { index: number; duration: number; captureTime?: number };

/** When one chunk of a live stream went on screen, and how far behind its capture that was. */
export interface PlayoutSample {
  index: number;
  /** Wall clock (ms) its first frame is shown. */
  shownAt: number;
  /** Seconds from its first frame's capture to its display; null when the chunk carries no capture time. */
  behindSeconds: number | null;
  /** The playback rate it plays at (above 1 while catching up). */
  rate: number;
  /** How long the picture froze before it, waiting for it (0 when it was there in time), in ms. */
  stallMs: number;
}

/**
 * What a player watching a live stream shows, computed from when each chunk reached it: the model
 * of the renderer's MediaSource feed that headless viewers (the play client, the benchmarks, the
 * host test bed) run. Playback starts when the first chunk arrives; each next chunk is shown when
 * the one before has played out, or when it arrives if that is later (a stall). A chunk plays at
 * the gentle catch-up rate the renderer uses (live-edge.ts), so the model drifts as the player does.
 * Pure: the caller passes the wall clock, so tests drive it with made-up times.
 */
export class LivePlayout {
  /** Wall clock (ms) at which what has been shown so far runs out. */
  private runsOutAt: number | null = null;
  private readonly samples: PlayoutSample[] = [];

  constructor(private readonly targetSeconds = LIVE_TARGET_SECONDS) {}

  /** `chunk` (the next in play order) is here at `nowMs`: when it shows, and how far behind live. */
  arrived(chunk: PlayedChunk, nowMs: number): PlayoutSample {
    const stallMs = this.runsOutAt === null ? 0 : Math.max(0, nowMs - this.runsOutAt);
    const shownAt = this.runsOutAt === null ? nowMs : Math.max(nowMs, this.runsOutAt);
    const behindSeconds = chunk.captureTime === undefined ? null : (shownAt - chunk.captureTime) / 1000;
    const rate = behindSeconds === null ? 1 : catchUpRate(behindSeconds, this.targetSeconds);
    this.runsOutAt = shownAt + (chunk.duration * 1000) / rate;
    const sample = { index: chunk.index, shownAt, behindSeconds, rate, stallMs };
    this.samples.push(sample);
    return sample;
  }

  /** Every chunk shown so far, in order. */
  get shown(): readonly PlayoutSample[] {
    return this.samples;
  }

  /** Stalls so far: how many, their total and the longest, in ms. */
  stalls(): { count: number; totalMs: number; longestMs: number } {
    const stalled = this.samples.filter((sample) => sample.stallMs > 0);
    return {
      count: stalled.length,
      totalMs: stalled.reduce((sum, sample) => sum + sample.stallMs, 0),
      longestMs: Math.max(0, ...stalled.map((sample) => sample.stallMs)),
    };
  }
}
