import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ffmpegPath } from '../media/ffmpeg-binaries.js';
import { PeerStreamerError, errorMessage } from '../util/errors.js';

const run = promisify(execFile);

export const SAMPLE_SECONDS = 30;

/**
 * The demo's sample clip: a test pattern with a beeping tone, made once with ffmpeg (the bundled one
 * when none is installed) so the repository carries no video. Written to a temporary name and renamed,
 * so an interrupted first run never leaves a half-made file behind.
 */
export async function ensureSampleVideo(dir: string): Promise<string> {
  const target = path.join(dir, 'sample.mp4');
  if (existsSync(target)) return target;
  mkdirSync(dir, { recursive: true });
  const partial = path.join(dir, `sample.${process.pid}.partial.mp4`);
  const seconds = SAMPLE_SECONDS;
  try {
    await run(ffmpegPath(), [
      ...['-nostdin', '-v', 'error', '-y'],
      ...['-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${seconds}`],
      ...['-f', 'lavfi', '-i', `sine=frequency=330:beep_factor=4:sample_rate=48000:duration=${seconds}`],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '60', '-keyint_min', '60'],
      ...[
        '-sc_threshold',
        '0',
        '-c:a',
        'aac',
        '-b:a',
        '128k',
        '-shortest',
        '-movflags',
        '+faststart',
        partial,
      ],
    ]);
    renameSync(partial, target);
  } catch (error) {
    throw new PeerStreamerError(
      'FFMPEG_FAILED',
      `could not make the demo's sample video in ${dir} (${errorMessage(error).split('\n')[0]}); check that ffmpeg works (PEERSTREAMER_FFMPEG) and the directory is writable.`,
      { dir },
    );
  } finally {
    rmSync(partial, { force: true });
  }
  return target;
}
