/**
 * A video's poster frame: one picture from about 10 % into the video (past title cards and fades
 * from black), scaled to 320 px wide with square pixels, as a small WebP (or JPEG when this ffmpeg
 * has no libwebp). Made from the source file at ingest; the bytes are checked before anyone keeps
 * them.
 */
import { MAX_POSTER_BYTES, sniffPosterType, type PosterMimeType } from '../shared/poster.js';
import { PeerStreamerError } from '../util/errors.js';
import { ffmpegFailure, startFfmpeg } from './ffmpeg-process.js';
import { posterEncoder, type PosterEncoder } from './poster-encoders.js';
import type { ProbeResult, StreamInfo } from './probe.js';

export interface PosterImage {
  bytes: Buffer;
  mimeType: PosterMimeType;
}

export interface PosterOptions {
  /** Widest poster made; narrower videos keep their width. Default 320. */
  width?: number;
  /** Where in the video, as a share of its duration. Default 0.1. */
  at?: number;
  signal?: AbortSignal;
  /** ffmpeg is killed after this long (a poster is never worth holding an ingest up). Default 30 s. */
  timeoutMs?: number;
  /** The image encoder; default WebP when this ffmpeg has libwebp, else JPEG. */
  encoder?: PosterEncoder;
}

/**
 * The stream a poster is taken from: the first real video stream. Cover art in an audio file is a
 * one-picture video stream, but it is not the video: audio-only files get no poster.
 */
export function posterStream(probe: ProbeResult): StreamInfo | null {
  return probe.streams.find((stream) => stream.type === 'video' && !stream.attachedPicture) ?? null;
}

/**
 * Makes the poster of `file` (whose video lasts `duration` seconds). Throws FFMPEG_FAILED (naming the
 * file and why) when no frame can be made; callers treat a poster as optional.
 */
export async function makePoster(
  file: string,
  probe: ProbeResult,
  duration: number,
  options: PosterOptions = {},
): Promise<PosterImage> {
  const stream = posterStream(probe);
  if (stream === null) {
    throw new PeerStreamerError('FFMPEG_FAILED', `${file} has no video stream to take a poster frame from.`, {
      file,
    });
  }
  const encoder = options.encoder ?? (await posterEncoder());
  const signal = AbortSignal.any([
    AbortSignal.timeout(options.timeoutMs ?? 30_000),
    ...(options.signal ? [options.signal] : []),
  ]);
  const at = Math.max(0, duration * (options.at ?? 0.1));
  const width = options.width ?? 320;
  // A seek lands on nothing when the container's duration overstates the stream: try the start then.
  const attempts = at > 0 ? [at, 0] : [0];
  for (const seconds of attempts) {
    const bytes = await grabFrame(file, stream.index, seconds, width, encoder.args, signal);
    if (bytes.length === 0) continue;
    const sniffed = sniffPosterType(bytes);
    if (sniffed !== encoder.mimeType) {
      throw new PeerStreamerError(
        'FFMPEG_FAILED',
        `ffmpeg wrote ${bytes.length} bytes for the poster of ${file} that are not a ${encoder.mimeType} image; check the ffmpeg build (PEERSTREAMER_FFMPEG).`,
        { file },
      );
    }
    return { bytes, mimeType: encoder.mimeType };
  }
  throw new PeerStreamerError(
    'FFMPEG_FAILED',
    `ffmpeg found no frame to make a poster of ${file} from (tried ${attempts.map((s) => `${s.toFixed(1)} s`).join(' and ')}).`,
    { file },
  );
}

/** One frame at `seconds` on stdout, at most MAX_POSTER_BYTES of it. */
async function grabFrame(
  file: string,
  streamIndex: number,
  seconds: number,
  width: number,
  encoderArgs: string[],
  signal: AbortSignal,
): Promise<Buffer> {
  const args = [
    ...['-nostdin', '-hide_banner', '-v', 'error'],
    // Before -i: a fast seek to the keyframe before `seconds`, then decoding up to it.
    ...['-ss', seconds.toFixed(3), '-i', file],
    ...['-map', `0:${streamIndex}`, '-frames:v', '1', '-an', '-sn', '-dn'],
    // Square pixels first (anamorphic DVDs), then at most `width` wide with an even height.
    ...['-vf', `scale='trunc(iw*sar/2)*2':ih,setsar=1,scale=w='min(${width},iw)':h=-2`],
    ...encoderArgs,
    'pipe:1',
  ];
  const run = startFfmpeg(args, signal);
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const data of run.stdout) {
      size += (data as Buffer).length;
      if (size > MAX_POSTER_BYTES) {
        throw new PeerStreamerError(
          'FFMPEG_FAILED',
          `the poster of ${file} came out larger than ${MAX_POSTER_BYTES} bytes; it was not kept.`,
          { file, limit: MAX_POSTER_BYTES },
        );
      }
      parts.push(data as Buffer);
    }
    const exit = await run.exited;
    if (signal.aborted) {
      throw new PeerStreamerError('FFMPEG_FAILED', `making the poster of ${file} was stopped or timed out.`, {
        file,
      });
    }
    if (exit.code !== 0 || exit.spawnError !== null) throw ffmpegFailure(file, exit, run.stderr());
    return Buffer.concat(parts);
  } finally {
    await run.stop();
  }
}
