/**
 * How a video is grouped into chunks: by media duration (the default, 1 s) or by byte size (what the
 * original system's `-c` flag meant). Chunks always end on fragment boundaries, so targets are
 * minimums: a remuxed video's chunks are as long as its keyframes are apart, at least.
 *
 * 1 s, not the 2 s it was: a viewer plays once its first chunk is in, and in a join wave that chunk
 * crosses home uplinks, each sending it whole before the next (the simulator, 30,000 nodes joining
 * by link in 18 s: start-up p95 2.7 s with 2 s chunks, 1.4 s with 1 s). Live streams cut 1 s too.
 * The cost is a request per second of video instead of per two, and a manifest twice as long.
 */
import { PeerStreamerError } from '../util/errors.js';

export const DEFAULT_CHUNK_DURATION = 1;
export const MIN_CHUNK_DURATION = 0.5;
export const MAX_CHUNK_DURATION = 60;
export const MIN_CHUNK_SIZE = 64 * 1024;
export const MAX_CHUNK_SIZE = 64 * 1024 * 1024;

export type ChunkTarget = { by: 'duration'; seconds: number } | { by: 'size'; bytes: number };

export interface ChunkOptions {
  /** Seconds of media per chunk, in [0.5, 60]. */
  chunkDuration?: number;
  /** Bytes per chunk, in [64 KiB, 64 MiB]. */
  chunkSize?: number;
}

/** Validates the CLI-facing chunk options; errors name the flag the user typed and the allowed range. */
export function resolveChunkTarget(options: ChunkOptions): ChunkTarget {
  const { chunkDuration, chunkSize } = options;
  if (chunkDuration !== undefined && chunkSize !== undefined) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `--chunk-duration and --chunk-size were both given; choose one (chunks are cut either by media time or by bytes).`,
      { chunkDuration, chunkSize },
    );
  }
  if (chunkSize !== undefined) {
    if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `--chunk-size ${String(chunkSize)} is out of range; use a whole number of bytes from 64 KiB (${MIN_CHUNK_SIZE}) to 64 MiB (${MAX_CHUNK_SIZE}), e.g. 1m.`,
        { flag: '--chunk-size', value: chunkSize, min: MIN_CHUNK_SIZE, max: MAX_CHUNK_SIZE },
      );
    }
    return { by: 'size', bytes: chunkSize };
  }
  const seconds = chunkDuration ?? DEFAULT_CHUNK_DURATION;
  if (!Number.isFinite(seconds) || seconds < MIN_CHUNK_DURATION || seconds > MAX_CHUNK_DURATION) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `--chunk-duration ${String(chunkDuration)} is out of range; use ${MIN_CHUNK_DURATION} s to ${MAX_CHUNK_DURATION} s, e.g. 2s.`,
      { flag: '--chunk-duration', value: chunkDuration, min: MIN_CHUNK_DURATION, max: MAX_CHUNK_DURATION },
    );
  }
  return { by: 'duration', seconds };
}
