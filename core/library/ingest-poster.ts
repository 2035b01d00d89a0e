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

/** A made poster, or why there is none: `failure` is reported only once the cut has succeeded. */
export type IngestPoster =
  { ref: PosterRef; bytes: Buffer; failure?: undefined } | { ref?: undefined; failure: string | null };

/**
 * The poster step of an ingest: a frame from the source file. A video without a picture (audio only)
 * simply has none (`failure` null); any other failure is returned to be reported (reportNoPoster)
 * rather than thrown, because a missing thumbnail is never a reason to refuse a video that cut fine,
 * and it runs alongside the cut, whose own failure (a damaged file) must not come with a poster
 * warning. Throws only when `signal` aborted.
 */
export async function makeIngestPoster(
  file: string,
  probe: ProbeResult,
  duration: number,
  options: { signal?: AbortSignal },
): Promise<IngestPoster> {
  if (posterStream(probe) === null) return { failure: null };
  try {
    const poster = await makePoster(file, probe, duration, options.signal ? { signal: options.signal } : {});
    return {
      ref: { size: poster.bytes.length, sha256: sha256Hex(poster.bytes), mimeType: poster.mimeType },
      bytes: poster.bytes,
    };
  } catch (error) {
    // An abort of the whole ingest is the ingest's failure, not the poster's.
    options.signal?.throwIfAborted();
    return { failure: errorMessage(error) };
  }
}

/** Says why a video that was added has no poster although it has a picture. */
export function reportNoPoster(file: string, failure: string, options: PosterStepOptions): void {
  report(options, { file, error: failure }, `no poster frame for ${file}: ${failure}`);
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
