/**
 * Counts stalls: the element ran dry (`waiting`) after it had started playing, until `playing` again.
 * Waiting caused by a seek is the seek's latency, not a stall, so it is left out. Chromium sometimes
 * fires a waiting/playing pair a few milliseconds apart with seconds of media buffered; a pause shorter
 * than two frames is invisible, so it is not counted.
 *
 * A stall is also told apart by its cause. `starved` ones began with less than STARVED_AHEAD_S of
 * media buffered past the play head: the feed did not deliver in time, which is ours to fix. The
 * others began with media in hand: the machine's decoder or main thread fell behind (a loaded CPU),
 * which the viewer sees all the same but no feed can prevent.
 */
const INVISIBLE_MS = 80;
const STARVED_AHEAD_S = 0.5;

/** What the tracker reads of the video element (an HTMLVideoElement is one). */
export interface WatchedMedia {
  readonly currentTime: number;
  readonly seeking: boolean;
  readonly ended: boolean;
  readonly buffered: { readonly length: number; start(index: number): number; end(index: number): number };
}

export interface StallCounts {
  count: number;
  totalMs: number;
  /** Of `count`, the stalls that began with the buffer (nearly) empty at the play head. */
  starved: number;
}

export class StallTracker {
  private count = 0;
  private totalMs = 0;
  private starved = 0;
  private started = false;
  private stalledAt: number | null = null;
  private stallStarved = false;

  constructor(private readonly video: WatchedMedia) {}

  onPlaying(): void {
    this.started = true;
    if (this.stalledAt !== null) {
      const lasted = performance.now() - this.stalledAt;
      if (lasted >= INVISIBLE_MS) {
        this.count++;
        this.totalMs += lasted;
        if (this.stallStarved) this.starved++;
      }
      this.stalledAt = null;
    }
  }

  onWaiting(): void {
    if (this.started && !this.video.seeking && !this.video.ended && this.stalledAt === null) {
      this.stalledAt = performance.now();
      this.stallStarved = bufferedAhead(this.video) < STARVED_AHEAD_S;
    }
  }

  onSeeking(): void {
    this.stalledAt = null;
  }

  /** Includes a stall still in progress. */
  snapshot(): StallCounts {
    const ongoing = this.stalledAt === null ? 0 : performance.now() - this.stalledAt;
    if (ongoing < INVISIBLE_MS) return { count: this.count, totalMs: this.totalMs, starved: this.starved };
    return {
      count: this.count + 1,
      totalMs: this.totalMs + ongoing,
      starved: this.starved + (this.stallStarved ? 1 : 0),
    };
  }
}

/** Seconds of media buffered from the play head on, in the range that holds it. */
function bufferedAhead(video: WatchedMedia): number {
  const at = video.currentTime;
  for (let i = 0; i < video.buffered.length; i++) {
    if (video.buffered.start(i) <= at && at <= video.buffered.end(i)) return video.buffered.end(i) - at;
  }
  return 0;
}
