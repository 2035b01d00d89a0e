/**
 * Live inputs a user may well get wrong: each gives one coded error line that names the input (or the
 * option) and says what to do. Values are refused before ffmpeg starts; what only ffmpeg can find out
 * (an address this machine does not have) ends the cut as `failed`.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLiveCutter, type LiveCutterOptions } from '../../core/media/live-cutter.js';
import type { LiveInput } from '../../core/media/live-input.js';
import { freePort } from '../../core/util/free-port.js';
import { PeerStreamerError, type ErrorCode } from '../../core/util/errors.js';
import { lacks, requires } from '../helpers/requirements.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';
import { makeAudioOnlyFile } from './live-helpers.js';

afterAll(cleanupTempDirs);

async function startError(input: unknown, options: LiveCutterOptions = {}): Promise<PeerStreamerError> {
  try {
    const cutter = await startLiveCutter(input as LiveInput, options);
    await cutter.stop();
  } catch (error) {
    expect(error).toBeInstanceOf(PeerStreamerError);
    return error as PeerStreamerError;
  }
  throw new Error(`starting a live cut of ${JSON.stringify(input)} succeeded but was expected to fail`);
}

function expectOneLine(error: PeerStreamerError, code: ErrorCode, ...parts: Array<string | RegExp>): void {
  expect(error.code, error.message).toBe(code);
  expect(error.message).not.toContain('\n');
  for (const part of parts) {
    if (typeof part === 'string') expect(error.message).toContain(part);
    else expect(error.message).toMatch(part);
  }
}

describe('live input values', () => {
  it.each([
    [{ kind: 'webcam' }, 'kind "webcam"', /use one of test-pattern, file, rtmp, srt, camera/],
    [{ kind: 'rtmp', listen: 'not a url' }, '"not a url"', /rtmp:\/\/0\.0\.0\.0:1935\/live/],
    [{ kind: 'rtmp', listen: 'http://0.0.0.0:1935/live' }, 'http://0.0.0.0:1935/live', /rtmp:\/\//],
    [{ kind: 'rtmp', listen: 'rtmp://0.0.0.0:1935' }, 'rtmp://0.0.0.0:1935', /names the RTMP application/],
    [{ kind: 'srt', listen: 'srt://0.0.0.0' }, 'srt://0.0.0.0', /needs a port/],
    [{ kind: 'srt', listen: 'srt://0.0.0.0:9000?mode=caller' }, 'mode=caller', /listens/],
    [{ kind: 'file', path: '' }, 'path ""', /path of a video file/],
    [{ kind: 'file', path: 'a.mp4' }, 'loop undefined', /true .* false/],
    [{ kind: 'camera', device: 'video0' }, '"video0"', /\/dev\/video0/],
    [{ kind: 'test-pattern', width: 321 }, 'width 321', /even/],
  ])('%j is refused', async (input, names, advice) => {
    expectOneLine(await startError(input), 'INVALID_ARGUMENT', names, advice);
  });

  it.each([
    [{ chunkDuration: 0.1 }, 'chunkDuration 0.1'],
    [{ chunkDuration: 11 }, 'chunkDuration 11'],
    [{ chunkDuration: Number.NaN }, 'chunkDuration NaN'],
    [{ stallSeconds: 0 }, 'stallSeconds 0'],
  ])('option %j is refused', async (options, names) => {
    const error = await startError({ kind: 'test-pattern' }, options);
    expectOneLine(error, 'INVALID_ARGUMENT', names, /out of range; use/);
  });
});

describe.skipIf(lacks(requires.ffmpeg))('live inputs that do not exist or do not fit', () => {
  it('a missing file', async () => {
    const file = path.join(tempDir('live-missing'), 'nothing-here.mp4');
    expectOneLine(await startError({ kind: 'file', path: file, loop: false }), 'INPUT_NOT_FOUND', file);
  });

  it('a file with no video stream', async () => {
    const file = path.join(tempDir('live-audio'), 'tone.m4a');
    await makeAudioOnlyFile(file);
    const error = await startError({ kind: 'file', path: file, loop: true });
    expectOneLine(error, 'NOT_MEDIA', `file ${file} has no video stream`, /choose a video file/);
  });

  it('a missing camera device', async () => {
    const device = '/dev/video-peerstreamer-none';
    const error = await startError({ kind: 'camera', device });
    expectOneLine(error, 'INPUT_NOT_FOUND', `camera ${device} does not exist`, /plug the camera in/);
  });

  it('a camera path that is not a device', async () => {
    const error = await startError({ kind: 'camera', device: '/etc/hostname' });
    expectOneLine(error, 'INVALID_ARGUMENT', 'camera /etc/hostname is not a capture device');
  });

  it('an address this machine does not have', async () => {
    const listen = `rtmp://192.0.2.7:${await freePort()}/live`;
    const cutter = await startLiveCutter({ kind: 'rtmp', listen });
    const end = await cutter.finished;
    expect(end.outcome).toBe('failed');
    if (end.outcome !== 'failed') return;
    expectOneLine(end.error, 'INVALID_ARGUMENT', listen, 'has no address 192.0.2.7', /0\.0\.0\.0/);
  });

  it('SRT with an ffmpeg built without libsrt (the npm static build)', async () => {
    const bundled = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    const saved = process.env.PEERSTREAMER_FFMPEG;
    process.env.PEERSTREAMER_FFMPEG = bundled;
    let error: PeerStreamerError;
    try {
      error = await startError({ kind: 'srt', listen: 'srt://127.0.0.1:9000' });
    } finally {
      if (saved === undefined) delete process.env.PEERSTREAMER_FFMPEG;
      else process.env.PEERSTREAMER_FFMPEG = saved;
    }
    expectOneLine(error, 'INVALID_ARGUMENT', 'srt://127.0.0.1:9000', 'built without SRT', bundled);
  });

  it('a chunk handler that throws stops the cut, with its error as the cause', async () => {
    const thrown = new Error('disk on fire');
    const cutter = await startLiveCutter(
      { kind: 'test-pattern', width: 160, height: 90, fps: 10 },
      {
        x264Preset: 'ultrafast',
        onChunk: () => {
          throw thrown;
        },
      },
    );
    const end = await cutter.finished;
    expect(end.outcome).toBe('failed');
    if (end.outcome !== 'failed') return;
    expectOneLine(end.error, 'INTERNAL', 'the test pattern', 'onChunk handler threw (disk on fire)');
    expect(end.error.cause).toBe(thrown);
    expect(end.chunkCount).toBe(1);
  });
});
