/**
 * The manifest of one video: the single source of truth for seeking (time -> chunk) and integrity.
 * This module is shared with the renderer, which may import it as types only, so it holds no
 * runtime dependencies beyond plain functions.
 */
import type { ChunkEntry, LegacyManifest, LiveManifest, Manifest } from './manifest-schema.js';
import { firstIndex } from './segments.js';

// The types are inferred from the schema (manifest-schema.ts), which this module does not load at
// run time: the renderer imports it and need not bundle the schema library.
export type {
  ChunkEntry,
  LegacyManifest,
  LiveChunkEntry,
  LiveHeader,
  LiveInfo,
  LiveManifest,
  Manifest,
  MediaManifest,
  SegmentRef,
} from './manifest-schema.js';

/** Bumped whenever the stored or wire shape changes; readers reject versions they do not know. */
export const MANIFEST_VERSION = 1;

/** Whether `manifest` is a live stream's (it carries a `live` header). */
export function isLiveManifest(manifest: Manifest): manifest is LiveManifest {
  return manifest.kind === 'fmp4' && manifest.live !== undefined;
}

/** Total bytes of a video as played: init segment plus every chunk. */
export function manifestBytes(manifest: Manifest): number {
  const chunkBytes = manifest.chunks.reduce((sum, chunk) => sum + chunk.size, 0);
  return chunkBytes + (manifest.init?.size ?? 0);
}

/**
 * The index of the chunk holding media time `seconds`, clamped to the chunks listed (a live
 * stream's list starts where its DVR window has got to); 0 for legacy videos.
 */
export function chunkAtTime(manifest: Manifest, seconds: number): number {
  if (manifest.kind === 'legacy') return 0;
  return firstIndex(manifest.chunks) + chunkIndexAt(manifest.chunks, seconds);
}

/**
 * The position in `chunks` (not the index, for a list that starts above 0) of the chunk holding
 * media time `seconds`: the last one starting at or before it (0 before the first), by binary search
 * over the start times. The player's feed uses it on every seek.
 */
export function chunkIndexAt(chunks: ReadonlyArray<Pick<ChunkEntry, 'start'>>, seconds: number): number {
  let low = 0;
  let high = chunks.length - 1;
  let found = 0;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if ((chunks[middle]!.start ?? 0) <= seconds) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

/** The manifest of a byte-split video from the original system: no init segment, no times. */
export function legacyManifest(
  name: string,
  chunks: ReadonlyArray<{ size: number; sha256: string }>,
  createdAt: string = new Date().toISOString(),
): LegacyManifest {
  return {
    version: MANIFEST_VERSION,
    kind: 'legacy',
    name,
    mimeType: 'application/octet-stream',
    duration: null,
    width: null,
    height: null,
    init: null,
    chunks: chunks.map(({ size, sha256 }, index) => ({ index, start: null, duration: null, size, sha256 })),
    createdAt,
  };
}
