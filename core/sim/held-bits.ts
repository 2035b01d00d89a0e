/**
 * A set of chunk indexes as one bit each, growing as higher indexes come: a simulated node holds
 * most of a video, and a bit is far cheaper than a Set entry (or a Map of bytes) per chunk.
 */
export class HeldBits {
  private bits = new Uint8Array(0);

  has(index: number): boolean {
    return index >= 0 && (this.bits[index >> 3] ?? 0) & (1 << (index & 7)) ? true : false;
  }

  add(index: number): void {
    const byte = index >> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[byte]! |= 1 << (index & 7);
  }

  /** Whether it was held. */
  delete(index: number): boolean {
    if (!this.has(index)) return false;
    this.bits[index >> 3]! &= ~(1 << (index & 7));
    return true;
  }

  *indexes(): Generator<number> {
    for (let byte = 0; byte < this.bits.length; byte++) {
      const value = this.bits[byte]!;
      if (value === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (value & (1 << bit)) yield byte * 8 + bit;
    }
  }
}
