/**
 * A per-peer budget that refills at `perSecond` and holds at most a second's worth: replies we send
 * unasked-for in volume (OVERLOADED, invalid-message errors), so a flood gets enough answers to tell
 * the sender why without making us spend our time replying; and the bytes a peer may send us.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = perSecond;
    this.updatedAt = now;
  }

  /**
   * Takes `amount` tokens (default one) if there are that many. An amount over a second's worth is
   * taken from a full bucket, leaving it in debt: it must not be refused forever.
   */
  take(now: number, amount = 1): boolean {
    this.refill(now);
    if (this.tokens < Math.min(amount, this.perSecond)) return false;
    this.tokens -= amount;
    return true;
  }

  /** Milliseconds until `amount` tokens are there (0 when they are now). */
  waitMs(now: number, amount = 1): number {
    this.refill(now);
    return Math.max(0, Math.ceil(((Math.min(amount, this.perSecond) - this.tokens) / this.perSecond) * 1000));
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.perSecond, this.tokens + elapsed * this.perSecond);
    this.updatedAt = now;
  }
}
