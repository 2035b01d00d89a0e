/**
 * ISO BMFF (ISO/IEC 14496-12) box plumbing: an incremental reader that turns an unbounded byte stream
 * into complete top-level boxes, and helpers to walk the children of a box already in memory.
 * Only top-level boxes are ever buffered, and ffmpeg's fragmented output keeps each of those to one
 * fragment, so memory stays bounded by the largest fragment rather than the video.
 */
import { PeerStreamerError } from '../util/errors.js';

export interface Box {
  type: string;
  /** The whole box, header included. */
  bytes: Buffer;
  /** Offset of the payload inside `bytes` (8, or 16 for 64-bit sizes). */
  headerSize: number;
}

export interface ChildBox {
  type: string;
  /** Payload start and end, as offsets into the parent's buffer. */
  start: number;
  end: number;
}

/** Refuses absurd boxes instead of buffering them: a fragment this large means something is wrong. */
export const MAX_TOP_LEVEL_BOX_BYTES = 1024 * 1024 * 1024;

function readType(bytes: Buffer, at: number): string {
  return bytes.toString('latin1', at, at + 4);
}

/** Feeds on arbitrary slices of a stream and hands back each top-level box once all its bytes arrived. */
export class BoxStreamReader {
  private pieces: Buffer[] = [];
  private buffered = 0;
  private consumed = 0;

  /**
   * `maxBoxBytes`: a valid box larger than this is refused (CHUNK_TOO_LARGE) as soon as its header
   * arrives, before its bytes are held: the cutter passes the chunk limit, since a fragment that
   * large could never fit a chunk.
   */
  constructor(private readonly maxBoxBytes = MAX_TOP_LEVEL_BOX_BYTES) {}

  /** Bytes taken in so far that are not yet part of a returned box. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Stream offset of the next box to be returned (for error messages). */
  get offset(): number {
    return this.consumed;
  }

  push(data: Buffer): Box[] {
    if (data.length > 0) {
      this.pieces.push(data);
      this.buffered += data.length;
    }
    const boxes: Box[] = [];
    for (;;) {
      const header = this.peek(16);
      if (header.length < 8) break;
      let size = header.readUInt32BE(0);
      let headerSize = 8;
      if (size === 1) {
        if (header.length < 16) break;
        const large = header.readBigUInt64BE(8);
        size = large > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(large);
        headerSize = 16;
      } else if (size === 0) {
        // "Extends to the end of the file": unusable on a stream, and ffmpeg never writes it when fragmenting.
        throw new PeerStreamerError(
          'FFMPEG_FAILED',
          `ffmpeg wrote an MP4 box of unbounded size at byte ${this.consumed}; fragmented output was expected, check the ffmpeg build.`,
          { offset: this.consumed, type: readType(header, 4) },
        );
      }
      const type = readType(header, 4);
      if (size < headerSize || size > MAX_TOP_LEVEL_BOX_BYTES) {
        throw new PeerStreamerError(
          'FFMPEG_FAILED',
          `ffmpeg wrote an MP4 box '${type}' of ${size} bytes at byte ${this.consumed}, outside 8 B..1 GiB; the output stream is not valid fragmented MP4.`,
          { offset: this.consumed, type, size },
        );
      }
      if (size > this.maxBoxBytes) {
        throw new PeerStreamerError(
          'CHUNK_TOO_LARGE',
          `the video has a fragment of ${(size / 2 ** 20).toFixed(1)} MiB (an MP4 '${type}' box at byte ${this.consumed} of the cut stream), more than one chunk may hold (${(this.maxBoxBytes / 2 ** 20).toFixed(1)} MiB): its keyframes are too far apart. Re-encode it with a keyframe every few seconds (e.g. ffmpeg -i in.mp4 -c:v libx264 -g 60 -c:a copy out.mp4), then add that file.`,
          { offset: this.consumed, type, size, maxBytes: this.maxBoxBytes },
        );
      }
      if (this.buffered < size) break;
      boxes.push({ type, bytes: this.take(size), headerSize });
      this.consumed += size;
    }
    return boxes;
  }

  private peek(count: number): Buffer {
    const first = this.pieces[0];
    if (first === undefined) return Buffer.alloc(0);
    if (first.length >= count || this.pieces.length === 1) return first.subarray(0, count);
    return Buffer.concat(this.pieces, Math.min(count, this.buffered)).subarray(0, count);
  }

  private take(count: number): Buffer {
    const first = this.pieces[0]!;
    let out: Buffer;
    if (first.length >= count) {
      // Copy so the returned box does not pin the (possibly much larger) pipe buffer it came in.
      out = Buffer.from(first.subarray(0, count));
      if (first.length === count) this.pieces.shift();
      else this.pieces[0] = first.subarray(count);
    } else {
      out = Buffer.allocUnsafe(count);
      let written = 0;
      while (written < count) {
        const piece = this.pieces[0]!;
        const needed = count - written;
        if (piece.length <= needed) {
          piece.copy(out, written);
          written += piece.length;
          this.pieces.shift();
        } else {
          piece.copy(out, written, 0, needed);
          written += needed;
          this.pieces[0] = piece.subarray(needed);
        }
      }
    }
    this.buffered -= count;
    return out;
  }
}

/** Iterates the boxes laid out in `bytes[start, end)`; stops at the first box that does not fit. */
export function* childBoxes(bytes: Buffer, start: number, end: number): Generator<ChildBox> {
  let at = start;
  while (at + 8 <= end) {
    let size = bytes.readUInt32BE(at);
    const type = readType(bytes, at + 4);
    let headerSize = 8;
    if (size === 1) {
      if (at + 16 > end) return;
      size = Number(bytes.readBigUInt64BE(at + 8));
      headerSize = 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < headerSize || at + size > end) return;
    yield { type, start: at + headerSize, end: at + size };
    at += size;
  }
}

export function findChild(bytes: Buffer, start: number, end: number, type: string): ChildBox | null {
  for (const child of childBoxes(bytes, start, end)) if (child.type === type) return child;
  return null;
}

/** Follows a path of box types, e.g. ['mdia', 'minf', 'stbl', 'stsd'], from a parent's payload. */
export function findPath(bytes: Buffer, parent: ChildBox, path: readonly string[]): ChildBox | null {
  let current: ChildBox | null = parent;
  for (const type of path) {
    if (current === null) return null;
    current = findChild(bytes, current.start, current.end, type);
  }
  return current;
}

/** Reads a FullBox's version and 24-bit flags from the start of its payload. */
export function fullBoxHeader(bytes: Buffer, box: ChildBox): { version: number; flags: number } {
  return { version: bytes.readUInt8(box.start), flags: bytes.readUInt32BE(box.start) & 0xffffff };
}

/** Reads an unsigned 64-bit field as a number; media times beyond 2^53 ticks do not occur in practice. */
export function readUint64(bytes: Buffer, at: number): number {
  return Number(bytes.readBigUInt64BE(at));
}
