/**
 * A video's poster frame: a small still image made at ingest and named by the manifest, so it can be
 * verified like any chunk wherever it travels. Shared with the renderer as types and constants only.
 */

/** The image formats a poster may have: WebP when ffmpeg has libwebp, JPEG otherwise. */
export const POSTER_MIME_TYPES = ['image/webp', 'image/jpeg'] as const;
export type PosterMimeType = (typeof POSTER_MIME_TYPES)[number];

/**
 * The largest poster a node makes, stores, sends or accepts. A 320 px wide WebP or JPEG frame is a
 * few KB to about 30 KB; the bound leaves room for busy frames and refuses anything that is not a
 * thumbnail, since every node in the tree keeps every poster it is asked for.
 */
export const MAX_POSTER_BYTES = 64 * 1024;

/** How a manifest names its poster. Manifests written before posters existed have none. */
export interface PosterRef {
  size: number;
  /** Lower-case hex sha256 of the image bytes. */
  sha256: string;
  mimeType: PosterMimeType;
}

export function isPosterMimeType(value: unknown): value is PosterMimeType {
  return (POSTER_MIME_TYPES as readonly unknown[]).includes(value);
}
