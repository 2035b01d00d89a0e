/**
 * Poster frames made by real ffmpeg (Debian's 5.1 and the static 2018 build in @ffmpeg-installer)
 * from generated fixtures: format, size, dimensions, and the videos that get none.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffprobePath } from '../../core/media/ffmpeg-binaries.js';
import { makePoster, posterStream } from '../../core/media/poster.js';
import { JPEG_ENCODER, WEBP_ENCODER, encoderFor, posterEncoder } from '../../core/media/poster-encoders.js';
import { probeMedia } from '../../core/media/probe.js';
import { MAX_POSTER_BYTES, sniffPosterType } from '../../core/shared/poster.js';
import { aacAudioOnly, generateFixture, h264Aac720p } from '../helpers/media-fixtures.js';
import { lacks, requires } from '../helpers/requirements.js';

const noFfmpeg = lacks(requires.ffmpeg);

const run = promisify(execFile);
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'ps-poster-'));
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Width and height of an image, as ffprobe reads it. */
async function dimensions(bytes: Buffer): Promise<[number, number]> {
  const file = path.join(scratch, `probe-${Math.random().toString(16).slice(2)}.img`);
  await writeFile(file, bytes);
  const { stdout } = await run(ffprobePath(), [
    ...['-v', 'error', '-select_streams', 'v:0'],
    ...['-show_entries', 'stream=width,height', '-of', 'csv=p=0', file],
  ]);
  const [width, height] = stdout.trim().split(',').map(Number);
  return [width!, height!];
}

async function posterOf(file: string, options: Parameters<typeof makePoster>[3] = {}) {
  const probe = await probeMedia(file);
  return makePoster(file, probe, probe.duration ?? 0, options);
}

describe.skipIf(noFfmpeg)('a poster frame', () => {
  it('is a small 320 px wide WebP from 10 % into a 720p video (Debian ffmpeg)', async () => {
    const { path: file } = await h264Aac720p(8);
    const poster = await posterOf(file);
    expect(poster.mimeType).toBe('image/webp');
    expect(sniffPosterType(poster.bytes)).toBe('image/webp');
    expect(poster.bytes.length).toBeGreaterThan(1_000);
    expect(poster.bytes.length).toBeLessThan(40_000);
    expect(await dimensions(poster.bytes)).toEqual([320, 180]);
    // testsrc2 moves every frame: the frame at 10 % is not the first frame.
    const first = await posterOf(file, { at: 0 });
    expect(Buffer.compare(first.bytes, poster.bytes)).not.toBe(0);
  });

  it('comes out the same way from the static 2018 ffmpeg bundled with the npm package', async () => {
    const bundled = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    expect(encoderFor((await run(bundled, ['-hide_banner', '-encoders'])).stdout)).toBe(WEBP_ENCODER);
    // The fixture first: fixtures are keyed by the ffmpeg that makes them.
    const { path: file } = await h264Aac720p(8);
    const previous = process.env.PEERSTREAMER_FFMPEG;
    process.env.PEERSTREAMER_FFMPEG = bundled;
    try {
      const poster = await posterOf(file);
      expect(sniffPosterType(poster.bytes)).toBe('image/webp');
      expect(await dimensions(poster.bytes)).toEqual([320, 180]);
    } finally {
      if (previous === undefined) delete process.env.PEERSTREAMER_FFMPEG;
      else process.env.PEERSTREAMER_FFMPEG = previous;
    }
  });

  it('is a JPEG when ffmpeg has no libwebp', async () => {
    const withoutWebp = ' V....D mjpeg                MJPEG (Motion JPEG)\n V..... libx264   libx264 H.264\n';
    expect(encoderFor(withoutWebp)).toBe(JPEG_ENCODER);
    expect(encoderFor(' V....D libwebp_anim   libwebp WebP image\n')).toBe(JPEG_ENCODER);
    expect(await posterEncoder('/nonexistent/ffmpeg')).toBe(JPEG_ENCODER);
    const { path: file } = await h264Aac720p(8);
    const poster = await posterOf(file, { encoder: JPEG_ENCODER });
    expect(poster.mimeType).toBe('image/jpeg');
    expect(sniffPosterType(poster.bytes)).toBe('image/jpeg');
    expect(poster.bytes.length).toBeLessThan(MAX_POSTER_BYTES);
    expect(await dimensions(poster.bytes)).toEqual([320, 180]);
  });

  it('has square pixels for an anamorphic video, and a tiny video keeps its own size', async () => {
    const anamorphic = await generateFixture('anamorphic-pal', 'mp4', [
      ...['-f', 'lavfi', '-i', 'testsrc2=size=720x576:rate=25:duration=3', '-vf', 'setsar=16/11'],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '{out}'],
    ]);
    // 720 x 16/11 = 1047 display pixels wide, so 320 wide is 176 high.
    expect(await dimensions((await posterOf(anamorphic)).bytes)).toEqual([320, 176]);
    const tiny = await generateFixture('tiny-odd', 'mp4', [
      ...['-f', 'lavfi', '-i', 'testsrc2=size=66x38:rate=25:duration=3'],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv444p', '{out}'],
    ]);
    expect(await dimensions((await posterOf(tiny)).bytes)).toEqual([66, 38]);
  });
});

describe.skipIf(noFfmpeg)('videos without a poster', () => {
  it('an audio-only file has no stream to take one from', async () => {
    const { path: file } = await aacAudioOnly(4);
    const probe = await probeMedia(file);
    expect(posterStream(probe)).toBeNull();
    await expect(makePoster(file, probe, 4)).rejects.toMatchObject({
      code: 'FFMPEG_FAILED',
      message: expect.stringContaining('no video stream'),
    });
  });

  it('cover art in an audio file is not the video', async () => {
    const file = await generateFixture('mp3-with-cover', 'mp3', [
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=4'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=300x300:rate=1:duration=1'],
      ...['-map', '0:a', '-map', '1:v', '-c:a', 'libmp3lame', '-c:v', 'mjpeg', '-frames:v', '1'],
      ...['-disposition:v:0', 'attached_pic', '-id3v2_version', '3', '{out}'],
    ]);
    const probe = await probeMedia(file);
    expect(probe.streams.some((stream) => stream.type === 'video' && stream.attachedPicture)).toBe(true);
    expect(posterStream(probe)).toBeNull();
  });

  it('a file that vanished after probing is a clear error naming it', async () => {
    const { path: source } = await h264Aac720p(8);
    const probe = await probeMedia(source);
    const gone = path.join(scratch, 'gone.mp4');
    await expect(makePoster(gone, probe, 8)).rejects.toMatchObject({
      code: 'FFMPEG_FAILED',
      message: expect.stringContaining(gone),
    });
  });

  it('an abort stops ffmpeg and says so', async () => {
    const { path: file } = await h264Aac720p(8);
    const controller = new AbortController();
    controller.abort();
    await expect(posterOf(file, { signal: controller.signal })).rejects.toMatchObject({
      code: 'FFMPEG_FAILED',
    });
  });
});
