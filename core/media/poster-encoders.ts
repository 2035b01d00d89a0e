/**
 * Which image encoder the resolved ffmpeg offers for posters. Debian's ffmpeg 5.1 and the static 2018
 * build inside @ffmpeg-installer both have libwebp, but a distribution or custom build may leave it
 * out; every ffmpeg has mjpeg. Asked once per ffmpeg binary.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { PosterMimeType } from '../shared/poster.js';
import { ffmpegPath } from './ffmpeg-binaries.js';

const run = promisify(execFile);

export interface PosterEncoder {
  mimeType: PosterMimeType;
  /** Output options for one still image on stdout. */
  args: string[];
}

/** WebP at quality 75: about half the bytes of a JPEG that looks the same at card size. */
export const WEBP_ENCODER: PosterEncoder = {
  mimeType: 'image/webp',
  args: ['-c:v', 'libwebp', '-quality', '75', '-f', 'webp'],
};

/** JPEG needs full-range YUV; -q:v 5 (of 2-31) is a typical web quality. */
export const JPEG_ENCODER: PosterEncoder = {
  mimeType: 'image/jpeg',
  args: ['-c:v', 'mjpeg', '-q:v', '5', '-pix_fmt', 'yuvj420p', '-f', 'image2pipe'],
};

const chosen = new Map<string, Promise<PosterEncoder>>();

/** WebP when this ffmpeg can write it, JPEG otherwise (also when the encoder list cannot be read). */
export function posterEncoder(binary: string = ffmpegPath()): Promise<PosterEncoder> {
  let pending = chosen.get(binary);
  if (pending === undefined) {
    pending = run(binary, ['-hide_banner', '-encoders'], { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 })
      .then(({ stdout }) => encoderFor(stdout))
      .catch(() => JPEG_ENCODER);
    chosen.set(binary, pending);
  }
  return pending;
}

/** Picks from `ffmpeg -encoders` output: a line such as ` V....D libwebp   libwebp WebP image`. */
export function encoderFor(encoderList: string): PosterEncoder {
  return /^\s*V\S*\s+libwebp\s/m.test(encoderList) ? WEBP_ENCODER : JPEG_ENCODER;
}
