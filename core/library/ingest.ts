import path from 'node:path';
import type { ChunkStore } from '../store/chunk-store.js';
import type { MediaManifest } from '../shared/manifest.js';
import { videoNameProblem } from '../shared/video-name.js';
import { assertVideoName } from '../util/video-name-check.js';
import { cutVideoInto } from '../media/cutter.js';
import { ManifestBuilder } from '../media/manifest-builder.js';
import { probeMedia, type ProbeResult } from '../media/probe.js';
import type { Logger } from '../util/logger.js';
import { PeerStreamerError } from '../util/errors.js';
import { loadOrCreatePublisherKey } from '../trust/key-file.js';
import { signManifest } from '../trust/manifest-signature.js';
import type { PublisherKeyPair } from '../trust/publisher-key.js';
import { keepIngestPoster, makeIngestPoster, reportNoPoster, type IngestPoster } from './ingest-poster.js';

export interface IngestOptions {
  /** Defaults to the file name without its extension. */
  name?: string;
  chunkDuration?: number;
  chunkSize?: number;
  replace?: boolean;
  signal?: AbortSignal;
  logger?: Logger;
  /** A probe the caller already ran (to check the file before opening the store), so ffprobe runs once. */
  probe?: ProbeResult;
  onProgress?: (progress: { mediaSeconds: number; totalSeconds: number | null; bytesOut: number }) => void;
  /**
   * A remark about the result that is not a failure, as one line for a person: e.g. keyframes too
   * far apart for the chunk duration asked for. Called before the video is committed.
   */
  onNote?: (note: string) => void;
  /** Make a poster frame for library cards (default true). */
  poster?: boolean;
  /** Problems that did not fail the ingest (e.g. no poster could be made), for the person adding it. */
  onWarning?: (message: string) => void;
  /** The key that signs the manifest. Default: the store's own (core/trust/key-file.ts). */
  publisherKey?: PublisherKeyPair;
}

/** The name a file gets when --name is not given: its base name without the extension. */
export function defaultVideoName(file: string): string {
  return path.basename(file, path.extname(file));
}

/**
 * The name a video will get (the given name, or the file's), checked: INVALID_NAME says which of the
 * two was wrong, so a caller can refuse a bad name before doing any work.
 */
export function ingestName(file: string, name?: string): string {
  const chosen = name ?? defaultVideoName(file);
  const problem = videoNameProblem(chosen);
  if (name === undefined && problem !== null) {
    throw new PeerStreamerError(
      'INVALID_NAME',
      `cannot use the file name ${JSON.stringify(chosen)} as the video's name (${problem}); pass --name <name>.`,
      { file, name: chosen },
    );
  }
  assertVideoName(chosen);
  return chosen;
}

/**
 * Ingests a video file into the store: cut into chunks (remux or transcode), each chunk written
 * crash-safely as it is produced, and the video committed in one transaction at the end. On any
 * failure nothing of the new video remains (and a replaced video is untouched). A poster frame is
 * taken from the file while the cut runs and named in the manifest; failing to make or keep one is
 * reported (logger, onWarning) but never fails the ingest.
 */
export async function ingestVideo(
  store: ChunkStore,
  file: string,
  options: IngestOptions = {},
): Promise<MediaManifest> {
  const name = ingestName(file, options.name);
  // Refuses an existing name before ffmpeg runs, so the user is not made to wait for the error.
  const writer = store.beginVideo(name, { replace: options.replace ?? false });
  // The store hashes every piece it writes; the manifest takes those hashes (writtenRefs below).
  const builder = new ManifestBuilder(name, 'given');
  // Ends the poster's ffmpeg when the cut fails: the ingest is over, and so is its poster.
  const posterAbort = new AbortController();
  try {
    // Probed here rather than in the cutter, because the poster step needs the streams as well.
    const probe = options.probe ?? (await probeMedia(file, options.signal ? { signal: options.signal } : {}));
    // The poster is one frame from the source, which needs nothing of the cut but the duration the
    // probe already has: made while the cut runs, not after it.
    const poster: Promise<IngestPoster> =
      options.poster === false
        ? Promise.resolve({ failure: null })
        : makeIngestPoster(file, probe, probe.duration ?? 0, {
            signal: options.signal
              ? AbortSignal.any([options.signal, posterAbort.signal])
              : posterAbort.signal,
          });
    // Awaited below; until then a failure (only ever an abort) must not count as unhandled.
    poster.catch(() => undefined);
    await cutVideoInto(
      file,
      {
        ...(options.chunkDuration !== undefined ? { chunkDuration: options.chunkDuration } : {}),
        ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
        probe,
      },
      async (event) => {
        builder.add(event);
        if (event.type === 'init') await writer.writeInit(event.bytes);
        else if (event.type === 'chunk') await writer.writeChunk(event.index, event.bytes);
        else if (event.type === 'progress') options.onProgress?.(event);
        else if (event.type === 'done' && event.result.keyframeNote !== null) {
          options.onNote?.(event.result.keyframeNote.message);
        }
      },
    ).catch(async (error: unknown) => {
      posterAbort.abort();
      await poster.catch(() => undefined);
      throw error;
    });
    const built = builder.build(new Date(), await writer.writtenRefs());
    const made = await poster;
    if (made.failure) reportNoPoster(file, made.failure, options);
    // Signed by the store's publisher key (made now if this is the store's first video): every node
    // that trusts this publisher can check the video from the key alone.
    const manifest = signManifest<MediaManifest>(
      made.ref === undefined ? built : { ...built, poster: made.ref },
      options.publisherKey ?? (await loadOrCreatePublisherKey(store.dir, options.logger)),
    );
    // A source serves its own videos: they are pinned so the cache never evicts them.
    await writer.commit(manifest, { pinned: true });
    if (made.ref !== undefined) await keepIngestPoster(store, name, made.bytes, options);
    return manifest;
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
