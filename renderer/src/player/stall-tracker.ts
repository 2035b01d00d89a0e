/**
 * Counts stalls: the element ran dry (`waiting`) after it had started playing, until `playing` again.
 * Waiting caused by a seek is the seek's latency, not a stall, so it is left out.
 */
export class StallTracker {
  count = 0;
  totalMs = 0;
  private started = false;
  private stalledAt: number | null = null;

  constructor(private readonly video: HTMLVideoElement) {}

  onPlaying(): void {
    this.started = true;
    if (this.stalledAt !== null) {
      this.count++;
      this.totalMs += performance.now() - this.stalledAt;
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
    return { count: this.count + (ongoing > 0 ? 1 : 0), totalMs: this.totalMs + ongoing };
  }
}
