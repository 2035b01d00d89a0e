import { systemClock, type Clock } from '../util/clock.js';

/**
 * Caps the rate at which this node serves chunk bytes to others (the upload limit users set). A
 * token bucket refilled continuously; a chunk larger than the bucket waits until the debt is paid,
 * so the long-run rate holds even for chunks bigger than one second's allowance.
 */
export class UploadLimiter {
  private bytesPerSecond: number | null;
  private tokens: number;
  private updatedAt: number;

  constructor(
    bytesPerSecond?: number | null,
    private readonly clock: Clock = systemClock,
  ) {
    this.updatedAt = clock.now();
    this.bytesPerSecond = bytesPerSecond ?? null;
    this.tokens = this.burst();
  }

  get limit(): number | null {
    return this.bytesPerSecond;
  }

  setLimit(bytesPerSecond: number | null): void {
    this.refill();
    this.bytesPerSecond = bytesPerSecond;
    this.tokens = Math.min(this.tokens, this.burst());
  }

  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.bytesPerSecond === null) return;
    this.refill();
    this.tokens -= bytes;
    if (this.tokens >= 0) return;
    const waitMs = (-this.tokens / this.bytesPerSecond) * 1000;
    await this.clock.sleep(waitMs, signal);
    // Whoever stopped waiting (the requester went away) sends nothing.
    signal?.throwIfAborted();
  }

  /** A quarter second of allowance: small enough that the rate holds over short windows too. */
  private burst(): number {
    return this.bytesPerSecond === null ? 0 : this.bytesPerSecond / 4;
  }

  private refill(): void {
    const now = this.clock.now();
    if (this.bytesPerSecond !== null) {
      this.tokens = Math.min(
        this.burst(),
        this.tokens + ((now - this.updatedAt) / 1000) * this.bytesPerSecond,
      );
    }
    this.updatedAt = now;
  }
}
