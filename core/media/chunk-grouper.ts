/**
 * Groups consecutive fMP4 fragments (moof+mdat) into chunks. A chunk may only begin at a fragment whose
 * first sample on the timing track is a sync sample, so any chunk can be appended right after the init
 * segment. A chunk closes at the first such boundary once it holds at least the target duration or bytes.
 */
import { PeerStreamerError } from '../util/errors.js';
import { MAX_CHUNK_BYTES } from '../shared/manifest-schema.js';
import type { ChunkTarget } from './chunk-options.js';

export interface TimedFragment {
  /** moof and mdat, in order. */
  parts: Buffer[];
  bytes: number;
  /** Seconds on the player's timeline at which the fragment's first sample is shown. */
  start: number;
  /** Seconds on the player's timeline at which the fragment's last sample ends (all tracks). */
  end: number;
  startsWithSync: boolean;
}

export interface GroupedChunk {
  index: number;
  start: number;
  duration: number;
  bytes: Buffer;
}

/** Manifest times are rounded to microseconds: exact enough for seeking, free of float noise in JSON. */
export function roundTime(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

export class ChunkGrouper {
  private parts: Buffer[] = [];
  private bytes = 0;
  private start = 0;
  private index = 0;
  private hasFragments = false;
  /** Gaps between fragments that begin with a keyframe: the only places a chunk can begin. */
  private readonly keyframeGaps: number[] = [];
  private lastKeyframe: number | null = null;
  private readonly durations: number[] = [];

  constructor(
    private readonly target: ChunkTarget,
    /** The largest chunk allowed; a parameter so tests need not make 64 MiB of media. */
    private readonly maxBytes = MAX_CHUNK_BYTES,
  ) {}

  /** Adds the next fragment; returns the chunk it closes, if it begins a new one. */
  add(fragment: TimedFragment): GroupedChunk | null {
    let closed: GroupedChunk | null = null;
    if (fragment.startsWithSync) {
      if (this.lastKeyframe !== null) this.keyframeGaps.push(fragment.start - this.lastKeyframe);
      this.lastKeyframe = fragment.start;
    }
    // A chunk travels in one frame of at most MAX_CHUNK_BYTES: one that would pass it closes at this
    // keyframe, full or not.
    const wouldOverflow = this.bytes + fragment.bytes > this.maxBytes;
    if (this.hasFragments && fragment.startsWithSync && (wouldOverflow || this.isFull(fragment.start))) {
      closed = this.close(fragment.start);
      // The first chunk starts at 0 (see the cutter); later ones where their keyframe is shown.
      this.start = fragment.start;
    }
    if (this.bytes + fragment.bytes > this.maxBytes) throw this.tooLarge(fragment);
    this.parts.push(...fragment.parts);
    this.bytes += fragment.bytes;
    this.hasFragments = true;
    return closed;
  }

  /** Closes the last chunk at `end`, the end of the media; null when no fragment was added. */
  finish(end: number): GroupedChunk | null {
    return this.hasFragments ? this.close(Math.max(end, this.start)) : null;
  }

  /**
   * How far apart keyframes are (the median gap, so one scene cut does not speak for the video) and
   * how long the chunks came out (the median, the last one being a remainder). Keyframe spacing is
   * null when the video had at most one keyframe.
   */
  spacing(): { keyframeSeconds: number | null; chunkSeconds: number | null } {
    const whole = this.durations.length > 1 ? this.durations.slice(0, -1) : this.durations;
    return { keyframeSeconds: median(this.keyframeGaps), chunkSeconds: median(whole) };
  }

  /**
   * Found as the media streams in, before more of it is held: the bytes from the last keyframe on
   * cannot fit one chunk, wherever the chunk starts.
   */
  private tooLarge(fragment: TimedFragment): PeerStreamerError {
    const from = this.hasFragments ? this.start : fragment.start;
    const bytes = this.bytes + fragment.bytes;
    return new PeerStreamerError(
      'CHUNK_TOO_LARGE',
      `the video has ${mebibytes(bytes)} MiB from its keyframe at ${from.toFixed(1)} s to the next, more than one chunk may hold (${mebibytes(this.maxBytes)} MiB), and a chunk can only start at a keyframe. Re-encode it with a keyframe every few seconds (e.g. ffmpeg -i in.mp4 -c:v libx264 -g 60 -c:a copy out.mp4), then add that file.`,
      { start: from, bytes, maxBytes: this.maxBytes },
    );
  }

  private isFull(nextStart: number): boolean {
    // The epsilon absorbs float error when keyframes sit exactly on the target (forced when transcoding).
    return this.target.by === 'duration'
      ? nextStart - this.start >= this.target.seconds - 1e-6
      : this.bytes >= this.target.bytes;
  }

  private close(end: number): GroupedChunk {
    const chunk: GroupedChunk = {
      index: this.index,
      start: roundTime(this.start),
      // Differences of rounded times, so chunk durations add up exactly to the rounded end.
      duration: roundTime(roundTime(end) - roundTime(this.start)),
      bytes: Buffer.concat(this.parts, this.bytes),
    };
    this.durations.push(chunk.duration);
    this.index += 1;
    this.parts = [];
    this.bytes = 0;
    this.hasFragments = false;
    return chunk;
  }
}

function mebibytes(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
