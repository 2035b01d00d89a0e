/** How a cut behaves around its edges: size targets, other durations, aborts, early exits, full disks. */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { cutVideo, cutVideoInto } from '../../core/media/cutter.js';
import { PeerStreamerError } from '../../core/util/errors.js';
import { h264Aac720p, mpeg4Mp3Avi } from '../helpers/media-fixtures.js';
import { cutAll, decodeErrors, joinSegments } from './media-checks.js';
import { lacks, requires } from '../helpers/requirements.js';
import { tempDir } from '../helpers/temp-dirs.js';

const noFfmpeg = lacks(requires.ffmpeg);

/** ffmpeg processes that are children of this test worker. */
function ffmpegChildren(): string[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.endsWith('ffmpeg'));
}

describe.skipIf(noFfmpeg)('chunk targets', () => {
  it('--chunk-size groups fragments into chunks of at least the target, about one fragment over at most', async () => {
    const target = 1024 * 1024;
    const out = await cutAll((await h264Aac720p()).path, { chunkSize: target });
    expect(out.result.mode).toBe('remux');
    const sizes = out.chunks.map((chunk) => chunk.bytes.length);
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    for (const size of sizes.slice(0, -1)) {
      expect(size).toBeGreaterThanOrEqual(target);
      expect(size).toBeLessThan(target * 2);
    }
    const total = sizes.reduce((sum, size) => sum + size, 0);
    expect(Math.abs(sizes.length - total / target)).toBeLessThanOrEqual(2);
  });

  it('a longer --chunk-duration gives proportionally longer chunks', async () => {
    const out = await cutAll((await h264Aac720p()).path, { chunkDuration: 4 });
    expect(out.chunks.map((chunk) => Math.round(chunk.duration))).toEqual([4, 4]);
  });

  it('when transcoding, keyframes are forced at the chunk duration so chunks hit it exactly', async () => {
    const out = await cutAll((await mpeg4Mp3Avi()).path, { chunkDuration: 1 });
    expect(out.result.mode).toBe('transcode');
    for (const chunk of out.chunks.slice(1, -1)) expect(chunk.duration).toBeCloseTo(1, 1);
    expect(out.chunks.length).toBeGreaterThanOrEqual(5);
  });

  it('works with the 2018 static ffmpeg from @ffmpeg-installer too', async () => {
    const bundled = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    const saved = process.env.PEERSTREAMER_FFMPEG;
    process.env.PEERSTREAMER_FFMPEG = bundled;
    const fixture = await h264Aac720p();
    let out;
    try {
      out = await cutAll(fixture.path);
    } finally {
      if (saved === undefined) delete process.env.PEERSTREAMER_FFMPEG;
      else process.env.PEERSTREAMER_FFMPEG = saved;
    }
    expect(out.result.mode).toBe('remux');
    // Judged by the system ffmpeg: the old build is only the producer here.
    const file = joinSegments(
      tempDir(),
      'all.mp4',
      out.init,
      out.chunks.map((chunk) => chunk.bytes),
    );
    expect(await decodeErrors(file)).toBe('');
  });
});

describe.skipIf(noFfmpeg)('stopping early', () => {
  it('an aborted signal kills ffmpeg and rejects with the abort reason', async () => {
    const controller = new AbortController();
    const events: string[] = [];
    const run = (async () => {
      for await (const event of cutVideo((await h264Aac720p()).path, {
        signal: controller.signal,
        forceTranscode: true,
      })) {
        events.push(event.type);
        if (event.type === 'init') controller.abort();
      }
    })();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    // Rejected right after the abort (a full transcode would first emit chunks), and ffmpeg is gone.
    expect(events).toEqual(['init']);
    expect(ffmpegChildren()).toEqual([]);
  });

  it('an already-aborted signal stops before anything runs', async () => {
    const generator = cutVideo('/does/not/matter.mp4', { signal: AbortSignal.abort() });
    await expect(generator.next()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('breaking out of the loop kills ffmpeg', async () => {
    for await (const event of cutVideo((await h264Aac720p()).path, { forceTranscode: true })) {
      if (event.type === 'init') break;
    }
    expect(ffmpegChildren()).toEqual([]);
  });
});

describe.skipIf(noFfmpeg)('cutVideoInto', () => {
  it('turns a full disk in the sink into DISK_FULL naming the file and the chunk', async () => {
    const file = (await h264Aac720p()).path;
    const sink = (event: { type: string }): void => {
      if (event.type === 'chunk')
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    const error = await cutVideoInto(file, {}, sink).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PeerStreamerError);
    expect(error).toMatchObject({ code: 'DISK_FULL' });
    expect((error as Error).message).toBe(
      `The disk is full: storing chunk 0 of ${file} failed (ENOSPC: no space left on device, write); free some space and add the video again.`,
    );
    expect(ffmpegChildren()).toEqual([]);
  });

  it('passes other sink errors through unchanged and returns the result on success', async () => {
    const file = (await h264Aac720p()).path;
    const boom = new Error('boom');
    await expect(cutVideoInto(file, {}, () => Promise.reject(boom))).rejects.toBe(boom);
    const seen: string[] = [];
    const result = await cutVideoInto(file, {}, (event) => void seen.push(event.type));
    expect(result.chunkCount).toBe(seen.filter((type) => type === 'chunk').length);
    expect(seen[0]).toBe('init');
    expect(seen.at(-1)).toBe('done');
  });
});
