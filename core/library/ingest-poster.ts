import { makePoster, posterStream } from '../media/poster.js';
import type { ProbeResult } from '../media/probe.js';
import type { PosterRef } from '../shared/poster.js';
import type { ChunkStore } from '../store/chunk-store.js';
import { errorMessage } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';
import type { Logger } from '../util/logger.js';

export interface PosterStepOptions {
  signal?: AbortSignal;
  logger?: Logger;
  /** Told what went wrong when a video gets no poster although it has a picture. */
  onWarning?: (message: string) => void;
}

/**
 * The poster step of an ingest: a frame from the source file, or null. A video without a picture
 * (audio only) simply has none; any other failure is reported and also yields null, because a
 * missing thumbnail is never a reason to refuse a video that cut fine.
 */
export async function makeIngestPoster(
  file: string,
  probe: ProbeResult,
  duration: number,
  options: PosterStepOptions,
): Promise<{ ref: PosterRef; bytes: Buffer } | null> {
  if (posterStream(probe) === null) return null;
  try {
    const poster = await makePoster(file, probe, duration, options.signal ? { signal: options.signal } : {});
    return {
      ref: { size: poster.bytes.length, sha256: sha256Hex(poster.bytes), mimeType: poster.mimeType },
      bytes: poster.bytes,
    };
  } catch (error) {
    // An abort of the whole ingest is the ingest's failure, not the poster's.
    options.signal?.throwIfAborted();
    report(options, { file, err: error }, `no poster frame for ${file}: ${errorMessage(error)}`);
    return null;
  }
}

/** Stores the poster of a committed video; a failure leaves the video without one, and is reported. */
export async function keepIngestPoster(
  store: ChunkStore,
  video: string,
  bytes: Buffer,
  options: PosterStepOptions,
): Promise<void> {
  try {
    await store.posters.put(video, bytes);
  } catch (error) {
    report(options, { video, err: error }, `the poster of ${video} was not stored: ${errorMessage(error)}`);
  }
}

function report(options: PosterStepOptions, fields: Record<string, unknown>, message: string): void {
  options.logger?.warn(fields, message);
  options.onWarning?.(message);
}
