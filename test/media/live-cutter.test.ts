/**
 * The live cutter on real ffmpeg and real media: a test pattern made in real time (transcoded, with
 * keyframes forced at each chunk) and a file played in real time (copied, cut at its own keyframes).
 * Chunks are checked independently of our parser: ffprobe says where keyframes are, ffmpeg decodes
 * the joined stream, node:crypto re-hashes the bytes.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLiveCutter } from '../../core/media/live-cutter.js';
import { lacks, requires } from '../helpers/requirements.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';
import { waitFor } from '../helpers/wait.js';
import { expectCaptureTimes, expectPlayableChunks } from './live-checks.js';
import { collector, ffmpeg, makeH264AacFile } from './live-helpers.js';

afterAll(cleanupTempDirs);

describe.skipIf(lacks(requires.ffmpeg))('live cutter', () => {
  it('cuts a real-time test pattern into 1 s keyframe-aligned chunks as they are encoded', async () => {
    const dir = tempDir('live-pattern');
    const collected = collector();
    const cutter = await startLiveCutter(
      { kind: 'test-pattern', width: 320, height: 180, fps: 25 },
      { chunkDuration: 1, x264Preset: 'ultrafast', ...collected.handlers },
    );
    expect(cutter.mode).toBe('transcode');
    try {
      await waitFor(() => collected.chunks.length >= 4, 'four live chunks', 20_000);
    } finally {
      const end = await cutter.stop();
      expect(end.outcome).toBe('stopped');
    }
    const { chunks, startedAt } = collected;
    // stop() still hands out the fragment ffmpeg held: one more, shorter chunk at most.
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    expect(chunks.length).toBeLessThanOrEqual(6);
    const firstDelay = chunks[0]!.arrivedAt - startedAt;
    // A sanity bound (a first chunk held until the end would fail it), not the latency target.
    expect(firstDelay, `first chunk after ${firstDelay} ms`).toBeLessThan(8000);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.duration).toBeCloseTo(1, 1);
    expect(chunks.every((chunk) => chunk.captureTimeSource === 'encoder-input')).toBe(true);
    expectCaptureTimes(collected);
    const duration = await expectPlayableChunks(dir, collected);
    expect(duration).toBeGreaterThan(3.9);
  });

  it('copies an H.264/AAC file played in real time, cuts at its keyframes and ends when it does', async () => {
    const dir = tempDir('live-file');
    const source = path.join(dir, 'source.mp4');
    await makeH264AacFile(source, 3);
    const collected = collector();
    const cutter = await startLiveCutter(
      { kind: 'file', path: source, loop: false },
      { chunkDuration: 1, ...collected.handlers },
    );
    expect(cutter.mode).toBe('remux');
    const end = await cutter.finished;
    expect(end).toEqual({ outcome: 'ended', chunkCount: collected.chunks.length });
    const { chunks, startedAt } = collected;
    expect(chunks).toHaveLength(3);
    // Played in real time, not as fast as the disk reads: the end comes after the media's length.
    expect(chunks.at(-1)!.arrivedAt - startedAt).toBeGreaterThan(2500);
    expect(chunks.every((chunk) => chunk.captureTimeSource === 'stream-start')).toBe(true);
    expectCaptureTimes(collected);
    const duration = await expectPlayableChunks(dir, collected);
    expect(duration).toBeCloseTo(3, 1);
  });

  it('plays a looped file past its end until stopped', async () => {
    const dir = tempDir('live-loop');
    const source = path.join(dir, 'source.mp4');
    await makeH264AacFile(source, 2);
    const collected = collector();
    const cutter = await startLiveCutter({ kind: 'file', path: source, loop: true }, collected.handlers);
    try {
      await waitFor(() => collected.chunks.length >= 3, 'a chunk past the file’s end', 20_000);
    } finally {
      expect((await cutter.stop()).outcome).toBe('stopped');
    }
    const third = collected.chunks[2]!;
    expect(third.start).toBeGreaterThanOrEqual(2 - 0.05);
    // Still in real time past the loop point: no stall and burst (as when audio stopped at the loop).
    expect(third.arrivedAt - collected.chunks[0]!.arrivedAt).toBeGreaterThan(1500);
    expectCaptureTimes(collected);
    await expectPlayableChunks(dir, collected);
  });

  it('encodes the ADTS audio of an MPEG-TS file and copies its video', async () => {
    const dir = tempDir('live-ts');
    const mp4 = path.join(dir, 'source.mp4');
    const ts = path.join(dir, 'source.ts');
    await makeH264AacFile(mp4, 2);
    await ffmpeg(['-i', mp4, '-c', 'copy', ts]);
    const collected = collector();
    const cutter = await startLiveCutter({ kind: 'file', path: ts, loop: false }, collected.handlers);
    expect(cutter.mode).toBe('partial-transcode');
    const end = await cutter.finished;
    expect(end.outcome, end.outcome === 'failed' ? end.error.message : '').toBe('ended');
    expect(await expectPlayableChunks(dir, collected)).toBeCloseTo(2, 0);
  });

  it('runs on the 2018 static ffmpeg from @ffmpeg-installer too, dating chunks by the stream clock', async () => {
    const dir = tempDir('live-old-ffmpeg');
    const bundled = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    const saved = process.env.PEERSTREAMER_FFMPEG;
    process.env.PEERSTREAMER_FFMPEG = bundled;
    const collected = collector();
    let cutter;
    try {
      cutter = await startLiveCutter(
        { kind: 'test-pattern', width: 320, height: 180, fps: 25 },
        { x264Preset: 'ultrafast', ...collected.handlers },
      );
    } finally {
      // ffmpeg has been started; the checks below use the system's.
      if (saved === undefined) delete process.env.PEERSTREAMER_FFMPEG;
      else process.env.PEERSTREAMER_FFMPEG = saved;
    }
    try {
      await waitFor(() => collected.chunks.length >= 3, 'three live chunks', 20_000);
    } finally {
      expect((await cutter.stop()).outcome).toBe('stopped');
    }
    // Its prft flags say "encoder input" for the write time, so they are not believed.
    expect(collected.chunks.every((chunk) => chunk.captureTimeSource === 'stream-start')).toBe(true);
    expectCaptureTimes(collected);
    await expectPlayableChunks(dir, collected);
  });
});
