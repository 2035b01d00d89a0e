/**
 * The manifest of one video: the single source of truth for seeking (time -> chunk) and integrity.
 * This module is shared with the renderer, which may import it as types only, so it holds no
 * runtime dependencies beyond plain functions.
 */
import type { PosterRef } from './poster.js';

export type { PosterRef };

/** Bumped whenever the stored or wire shape changes; readers reject versions they do not know. */
export const MANIFEST_VERSION = 1;

export interface ChunkEntry {
  index: number;
  /** Seconds from the start of the video (media chunks); null for byte-split legacy chunks. */
  start: number | null;
  /** Seconds of media in this chunk; null for legacy chunks. */
  duration: number | null;
  size: number;
  /** Lower-case hex sha256 of the chunk's bytes. */
  sha256: string;
}

export interface SegmentRef {
  size: number;
  sha256: string;
}

interface ManifestBase {
  version: typeof MANIFEST_VERSION;
  name: string;
  chunks: ChunkEntry[];
  /** ISO time of ingest. */
  createdAt: string;
}

/** A video cut into fragmented-MP4 chunks: one init segment, every chunk starts on a keyframe. */
export interface MediaManifest extends ManifestBase {
  kind: 'fmp4';
  /** e.g. `video/mp4; codecs="avc1.64001f, mp4a.40.2"`, ready for MediaSource.isTypeSupported. */
  mimeType: string;
  duration: number;
  width: number | null;
  height: number | null;
  init: SegmentRef;
  /** How the source file became chunks: stream copy, or a transcode to H.264/AAC. */
  ingest: { mode: 'remux' | 'transcode' | 'partial-transcode'; sourceCodecs: string[] };
  /**
   * A still frame for library cards. Optional within manifest version 1: manifests from before
   * posters, and videos without a picture (audio only) or whose frame could not be made, have none.
   */
  poster?: PosterRef;
}

/** A video from the original system: fixed-size byte chunks, playable only in order from chunk 0. */
export interface LegacyManifest extends ManifestBase {
  kind: 'legacy';
  mimeType: 'application/octet-stream';
  duration: null;
  width: null;
  height: null;
  init: null;
}

export type Manifest = MediaManifest | LegacyManifest;

/** Total bytes of a video as played: init segment plus every chunk. */
export function manifestBytes(manifest: Manifest): number {
  const chunkBytes = manifest.chunks.reduce((sum, chunk) => sum + chunk.size, 0);
  return chunkBytes + (manifest.init?.size ?? 0);
}

/** The chunk holding media time `seconds`, clamped to the video; 0 for legacy videos. */
export function chunkAtTime(manifest: Manifest, seconds: number): number {
  if (manifest.kind === 'legacy') return 0;
  return chunkIndexAt(manifest.chunks, seconds);
}

/**
 * The chunk holding media time `seconds`: the last one starting at or before it (0 before the
 * first), by binary search over the start times. The player's feed uses it on every seek.
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
