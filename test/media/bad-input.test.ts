/** Input a user may well hand us by mistake: each gets a coded, one-line error that names the file. */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cutVideo, type CutOptions } from '../../core/media/cutter.js';
import { probeMedia } from '../../core/media/probe.js';
import { PeerStreamerError, type ErrorCode } from '../../core/util/errors.js';
import { h264Aac720p, h264Mp3Mkv, mpeg4Mp3Avi } from '../helpers/media-fixtures.js';
import { lacks, requires } from '../helpers/requirements.js';
import { tempDir } from '../helpers/temp-dirs.js';

const noFfmpeg = lacks(requires.ffmpeg);

async function cutError(file: string, options: CutOptions = {}): Promise<PeerStreamerError> {
  try {
    for await (const _event of cutVideo(file, options)) {
      // drain
    }
  } catch (error) {
    expect(error).toBeInstanceOf(PeerStreamerError);
    return error as PeerStreamerError;
  }
  throw new Error(`cutting ${file} succeeded but was expected to fail`);
}

function expectError(error: PeerStreamerError, code: ErrorCode, text: RegExp, file?: string): void {
  expect(error.code, error.message).toBe(code);
  expect(error.message).toMatch(text);
  expect(error.message).not.toContain('\n');
  if (file !== undefined) expect(error.message).toContain(file);
}

const dir = tempDir('peerstreamer-bad-input-');

function write(name: string, bytes: Uint8Array | string): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

describe.skipIf(noFfmpeg)('bad input', () => {
  it('a missing file is INPUT_NOT_FOUND', async () => {
    const file = path.join(dir, 'no-such-video.mp4');
    expectError(await cutError(file), 'INPUT_NOT_FOUND', /does not exist; check the path/, file);
  });

  it('a text file is NOT_MEDIA, whatever its extension', async () => {
    for (const name of ['notes.txt', 'notes.mp4', 'notes']) {
      const file = write(name, 'This is a shopping list, not a video.\nmilk\neggs\n');
      expectError(await cutError(file), 'NOT_MEDIA', /is not a video or audio file/, file);
    }
  });

  it('random bytes are NOT_MEDIA, even where ffprobe guesses a raw stream', async () => {
    for (const name of ['noise.bin', 'noise.mp4', 'noise.mkv', 'noise']) {
      const file = write(name, randomBytes(200_000));
      expectError(await cutError(file), 'NOT_MEDIA', /is not a video or audio file/, file);
    }
  });

  it('a zero-byte file is NOT_MEDIA and says it is empty', async () => {
    const file = write('empty.mp4', '');
    expectError(await cutError(file), 'NOT_MEDIA', /is empty \(0 bytes\)/, file);
  });

  it('a directory is NOT_MEDIA', async () => {
    expectError(await cutError(dir), 'NOT_MEDIA', /is not a file/, dir);
  });

  it('an MP4 cut in half (index at the front) is CORRUPT_MEDIA: truncated', async () => {
    const whole = readFileSync((await h264Aac720p()).path);
    const file = write('half-faststart.mp4', whole.subarray(0, whole.length / 2));
    expectError(await cutError(file), 'CORRUPT_MEDIA', /is truncated: its 'mdat' box/, file);
  });

  it('an MP4 cut in half before its index (moov at the end) is CORRUPT_MEDIA', async () => {
    const source = path.join(dir, 'moov-last.mp4');
    copyFileSync((await h264Aac720p()).path, source);
    // Rebuild with the moov at the end, as a camera or a plain ffmpeg run writes it.
    const { execFileSync } = await import('node:child_process');
    const { ffmpegPath } = await import('../../core/media/ffmpeg-binaries.js');
    const moovLast = path.join(dir, 'moov-last-out.mp4');
    execFileSync(ffmpegPath(), ['-v', 'error', '-y', '-i', source, '-c', 'copy', moovLast]);
    const whole = readFileSync(moovLast);
    const file = write('half-moov-last.mp4', whole.subarray(0, whole.length / 2));
    expectError(await cutError(file), 'CORRUPT_MEDIA', /truncated|incomplete/, file);
  });

  it('a Matroska file cut in half is CORRUPT_MEDIA', async () => {
    const whole = readFileSync((await h264Mp3Mkv()).path);
    const file = write('half.mkv', whole.subarray(0, Math.floor(whole.length / 2)));
    expectError(await cutError(file), 'CORRUPT_MEDIA', /truncated|damaged/, file);
  });

  it('garbage inside a file that must be decoded (transcode) is CORRUPT_MEDIA', async () => {
    const bytes = Buffer.from(readFileSync((await mpeg4Mp3Avi()).path));
    // Overwrite the middle third with noise; the AVI header and index stay intact.
    const from = Math.floor(bytes.length / 3);
    randomBytes(Math.floor(bytes.length / 3)).copy(bytes, from);
    const file = write('noisy.avi', bytes);
    expectError(await cutError(file), 'CORRUPT_MEDIA', /damaged or incomplete|truncated/, file);
  });

  it('probeMedia reports the same errors without cutting', async () => {
    const file = write('probe-notes.txt', 'hello');
    await expect(probeMedia(file)).rejects.toMatchObject({ code: 'NOT_MEDIA' });
  });
});

describe('chunk options', () => {
  const cases: Array<[CutOptions, RegExp]> = [
    [{ chunkDuration: 0.1 }, /^--chunk-duration 0\.1 is out of range; use 0\.5 s to 60 s/],
    [{ chunkDuration: 61 }, /^--chunk-duration 61 is out of range; use 0\.5 s to 60 s/],
    [{ chunkDuration: Number.NaN }, /^--chunk-duration NaN is out of range/],
    [
      { chunkSize: 1000 },
      /^--chunk-size 1000 is out of range; use a whole number of bytes from 64 KiB \(65536\) to 64 MiB \(67108864\)/,
    ],
    [{ chunkSize: 65 * 1024 * 1024 }, /^--chunk-size 68157440 is out of range/],
    [{ chunkSize: 100_000.5 }, /^--chunk-size 100000\.5 is out of range/],
    [
      { chunkDuration: 2, chunkSize: 1_000_000 },
      /--chunk-duration and --chunk-size were both given; choose one/,
    ],
  ];
  it.each(cases)('%o is INVALID_ARGUMENT naming the flag and range', async (options, text) => {
    // Checked before the file is even looked at: the path does not exist.
    expectError(await cutError(path.join(dir, 'unused.mp4'), options), 'INVALID_ARGUMENT', text);
  });

  it('accepts the bounds', async () => {
    const { resolveChunkTarget } = await import('../../core/media/chunk-options.js');
    expect(resolveChunkTarget({ chunkDuration: 0.5 })).toEqual({ by: 'duration', seconds: 0.5 });
    expect(resolveChunkTarget({ chunkDuration: 60 })).toEqual({ by: 'duration', seconds: 60 });
    expect(resolveChunkTarget({ chunkSize: 65536 })).toEqual({ by: 'size', bytes: 65536 });
    expect(resolveChunkTarget({ chunkSize: 64 * 1024 * 1024 })).toEqual({
      by: 'size',
      bytes: 64 * 1024 * 1024,
    });
    expect(resolveChunkTarget({})).toEqual({ by: 'duration', seconds: 1 });
  });
});
