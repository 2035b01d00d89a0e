/**
 * Groups a live stream's fragments into chunks and dates each chunk by its capture time.
 *
 * Unlike the on-demand ChunkGrouper, which closes a chunk when the next keyframe arrives, a live chunk
 * closes as soon as it holds its target: waiting for the next fragment would add a whole chunk of
 * delay. That is safe because ffmpeg, with `frag_keyframe` and a video track, starts fragments only at
 * video keyframes, so whatever fragment comes next may begin a chunk; one that cannot is refused.
 *
 * Capture time: two estimates, each never earlier than the truth (to within a frame). The encoder's
 * is exact unless a backlog delayed it, so it is taken unless the stream clock's is earlier by more
 * than BACKLOG_MS; within that the two agree, and which were earlier would be noise.
 * - The encoder's: the prft box at encoder input, the wall clock when the chunk's first frame entered
 *   libx264 (when encoding, with an ffmpeg that exports it). Exact while frames reach the encoder as
 *   they are captured, late by the backlog when ffmpeg feeds it frames it held while probing an input
 *   (a publisher's first second, a camera's first frames).
 * - The stream clock's: the stream's start on the wall clock plus the chunk's start on the media
 *   timeline. The start is estimated from when each fragment was written (its prft, when that says
 *   so) or else arrived here: a real-time input cannot deliver media before its time, so the earliest
 *   "written at, less the media up to then" seen so far is the best estimate, and it only gets
 *   better. This is the only one when copying. Chunks handed out while ffmpeg still worked through a
 *   start-up backlog are dated a little late, since nothing better was known yet; a publisher that
 *   pauses without a jump in its timestamps makes later chunks look captured earlier than they were.
 */
import { PeerStreamerError } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';
import { MAX_CHUNK_BYTES } from '../shared/manifest-schema.js';
import { roundTime } from './chunk-grouper.js';
import type { ParsedFragment } from './fmp4-stream.js';
import type { PlacedFragment } from './fragment-timeline.js';

export type CaptureTimeSource = 'encoder-input' | 'stream-start';

export interface LiveChunk {
  index: number;
  /** Seconds on the stream's media timeline (0 at the first chunk). */
  start: number;
  duration: number;
  /** moof+mdat fragments, appendable right after the init segment. */
  bytes: Buffer;
  /** Hex sha256 of `bytes`. */
  sha256: string;
  /** Milliseconds since the Unix epoch when the chunk's first frame was captured (see the module comment). */
  captureTime: number;
  captureTimeSource: CaptureTimeSource;
}

/** How much earlier than the encoder's time the stream clock must date a chunk to be believed instead. */
const BACKLOG_MS = 100;
/** A chunk closes once it holds this share of its target: forced keyframes land on frame boundaries, a frame early at times. */
const FULL_SHARE = 0.9;

interface OpenChunk {
  parts: Buffer[];
  bytes: number;
  start: number;
  end: number;
  /** The encoder's note of when the first frame entered it, when there is one. */
  encoderInputMs: number | null;
}

export class LiveChunkAssembler {
  private open: OpenChunk | null = null;
  private index = 0;
  /** Wall clock of media time 0: the earliest estimate so far (see the module comment). */
  private streamStartMs = Number.POSITIVE_INFINITY;

  constructor(
    private readonly targetSeconds: number,
    /** Names the input in errors. */
    private readonly source: string,
    /** Whether the encoder exports its input times, so a prft's flags can be believed (see LivePlan). */
    private readonly encoderCaptureTime: boolean,
    private readonly maxBytes = MAX_CHUNK_BYTES,
  ) {}

  /** Adds the next fragment, arrived at `arrivedAtMs`; returns the chunks it completes (0, 1 or 2). */
  add(fragment: ParsedFragment, placed: PlacedFragment, arrivedAtMs: number): LiveChunk[] {
    const done: LiveChunk[] = [];
    // A chunk travels in one frame of at most maxBytes; one about to pass it closes here if it may.
    if (this.open !== null && this.open.bytes + fragment.bytes > this.maxBytes && placed.startsWithSync)
      done.push(this.close());
    if (this.open === null) {
      if (!placed.startsWithSync) {
        // Frames before an input's first keyframe cannot be decoded by anyone: they are left out.
        if (this.index === 0) return done;
        throw this.noKeyframe(placed.start);
      }
      const encoderInputMs = this.atEncoderInput(fragment) ? fragment.prft!.wallClockMs : null;
      // The first chunk starts at 0, so the chunks tile the timeline as an on-demand cut's do.
      const start = this.index === 0 ? 0 : placed.start;
      this.open = { parts: [], bytes: 0, start, end: start, encoderInputMs };
    }
    const writtenMs =
      fragment.prft !== null && !this.atEncoderInput(fragment) ? fragment.prft.wallClockMs : arrivedAtMs;
    this.streamStartMs = Math.min(this.streamStartMs, writtenMs - placed.timingEnd * 1000);
    const open = this.open;
    if (open.bytes + fragment.bytes > this.maxBytes) throw this.tooLarge(open.bytes + fragment.bytes);
    open.parts.push(...fragment.parts);
    open.bytes += fragment.bytes;
    open.end = Math.max(open.end, placed.timingEnd);
    if (open.end - open.start >= this.targetSeconds * FULL_SHARE) done.push(this.close());
    return done;
  }

  private atEncoderInput(fragment: ParsedFragment): boolean {
    return this.encoderCaptureTime && fragment.prft !== null && fragment.prft.atEncoderInput;
  }

  /** The chunk still open when the stream ended, if any. */
  finish(): LiveChunk | null {
    return this.open === null ? null : this.close();
  }

  private close(): LiveChunk {
    const open = this.open!;
    this.open = null;
    const bytes = Buffer.concat(open.parts, open.bytes);
    const start = roundTime(open.start);
    const chunk: LiveChunk = {
      index: this.index,
      start,
      duration: roundTime(roundTime(open.end) - start),
      bytes,
      sha256: sha256Hex(bytes),
      ...this.captureOf(open, start),
    };
    this.index += 1;
    return chunk;
  }

  private captureOf(
    open: OpenChunk,
    start: number,
  ): { captureTime: number; captureTimeSource: CaptureTimeSource } {
    const byStreamClock = this.streamStartMs + start * 1000;
    if (open.encoderInputMs !== null && open.encoderInputMs - byStreamClock <= BACKLOG_MS)
      return { captureTime: Math.round(open.encoderInputMs), captureTimeSource: 'encoder-input' };
    return { captureTime: Math.round(byStreamClock), captureTimeSource: 'stream-start' };
  }

  private noKeyframe(at: number): PeerStreamerError {
    return new PeerStreamerError(
      'FFMPEG_FAILED',
      `ffmpeg's output for ${this.source} has a fragment at ${at.toFixed(2)} s that does not begin with a keyframe, so no chunk can start there; check the ffmpeg build (PEERSTREAMER_FFMPEG).`,
      { input: this.source, at },
    );
  }

  private tooLarge(bytes: number): PeerStreamerError {
    const mib = (value: number): string => (value / 2 ** 20).toFixed(1);
    return new PeerStreamerError(
      'CHUNK_TOO_LARGE',
      `${this.source} sent ${mib(bytes)} MiB between two keyframes, more than one chunk may hold (${mib(this.maxBytes)} MiB); have the publisher send a keyframe every second or two, or start the live stream with transcoding on.`,
      { input: this.source, bytes, maxBytes: this.maxBytes },
    );
  }
}
