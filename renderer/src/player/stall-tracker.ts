/**
 * Counts stalls: the element ran dry (`waiting`) after it had started playing, until `playing` again.
 * Waiting caused by a seek is the seek's latency, not a stall, so it is left out. Chromium sometimes
 * fires a waiting/playing pair a few milliseconds apart with seconds of media buffered; a pause shorter
 * than two frames is invisible, so it is not counted.
 */
const INVISIBLE_MS = 80;

export class StallTracker {
  count = 0;
  totalMs = 0;
  private started = false;
  private stalledAt: number | null = null;

  constructor(private readonly video: HTMLVideoElement) {}

  onPlaying(): void {
    this.started = true;
    if (this.stalledAt !== null) {
      const lasted = performance.now() - this.stalledAt;
      if (lasted >= INVISIBLE_MS) {
        this.count++;
        this.totalMs += lasted;
      }
      this.stalledAt = null;
    }
  }

  onWaiting(): void {
    if (this.started && !this.video.seeking && !this.video.ended && this.stalledAt === null) {
      this.stalledAt = performance.now();
    }
  }

  onSeeking(): void {
    this.stalledAt = null;
  }

  /** Includes a stall still in progress. */
  snapshot(): { count: number; totalMs: number } {
    const ongoing = this.stalledAt === null ? 0 : performance.now() - this.stalledAt;
    if (ongoing < INVISIBLE_MS) return { count: this.count, totalMs: this.totalMs };
    return { count: this.count + 1, totalMs: this.totalMs + ongoing };
  }
}
