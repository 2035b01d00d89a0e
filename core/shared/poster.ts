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

/**
 * The image format these bytes really are, from their first bytes (RIFF....WEBP, or a JPEG's SOI and
 * marker), or null. A poster's declared type is never trusted alone: a browser shown JPEG bytes as
 * WebP draws nothing.
 */
export function sniffPosterType(bytes: Uint8Array): PosterMimeType | null {
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP')
    return 'image/webp';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}
