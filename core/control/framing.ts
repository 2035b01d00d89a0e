/**
 * Splits what arrives on a control connection into lines and raw byte runs. Lines end with `\n` and
 * are bounded: a line longer than `maxLineBytes` is refused as soon as it passes the bound, however
 * it was cut into reads, so a client without a newline cannot make the node buffer without limit.
 * After a `data` event the reader is told how many raw bytes follow and hands them on as they come,
 * without looking for newlines in them.
 */
import type { ControlProblem } from './errors.js';

export type Piece = { kind: 'line'; line: Buffer } | { kind: 'bytes'; bytes: Buffer };

export class FrameReader {
  /** Reads that hold the start of a line not yet ended: joined once, when its newline arrives. */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private rawLeft = 0;
  private rest: Buffer = Buffer.alloc(0);

  constructor(
    private readonly maxLineBytes: number,
    private readonly tooLong: (limit: number) => ControlProblem,
  ) {}

  /** The next `size` bytes are raw; call before taking the piece after the line that announced them. */
  expectBytes(size: number): void {
    this.rawLeft = size;
  }

  /** True while a line or a raw run has started but not ended (an EOF now cuts a message short). */
  get midMessage(): boolean {
    return this.partialBytes > 0 || this.rawLeft > 0 || this.rest.length > 0;
  }

  /**
   * The pieces in `chunk`, lazily: the consumer handles a line (and may call expectBytes) before the
   * reader looks at what follows it.
   */
  *push(chunk: Buffer): Generator<Piece> {
    this.rest = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    while (this.rest.length > 0) {
      if (this.rawLeft > 0) {
        const bytes = this.rest.subarray(0, this.rawLeft);
        this.rest = this.rest.subarray(bytes.length);
        this.rawLeft -= bytes.length;
        yield { kind: 'bytes', bytes };
        continue;
      }
      const newline = this.rest.indexOf(0x0a);
      if (newline === -1) {
        this.partial.push(this.rest);
        this.partialBytes += this.rest.length;
        this.rest = Buffer.alloc(0);
        if (this.partialBytes > this.maxLineBytes) throw this.tooLong(this.maxLineBytes);
        return;
      }
      if (this.partialBytes + newline > this.maxLineBytes) throw this.tooLong(this.maxLineBytes);
      const head = this.rest.subarray(0, newline);
      const line = this.partial.length === 0 ? head : Buffer.concat([...this.partial, head]);
      this.partial = [];
      this.partialBytes = 0;
      this.rest = this.rest.subarray(newline + 1);
      yield { kind: 'line', line };
    }
  }
}
