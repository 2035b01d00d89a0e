/**
 * The live cutter on real ffmpeg and real media: a test pattern made in real time (transcoded, with
 * keyframes forced at each chunk) and a file played in real time (copied, cut at its own keyframes).
 * Chunks are checked independently of our parser: ffprobe says where keyframes are, ffmpeg decodes
 * the joined stream, node:crypto re-hashes the bytes.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLiveCutter } from '../../core/media/live-cutter.js';
import { lacks, requires } from '../helpers/requirements.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';
import { waitFor } from '../helpers/wait.js';
import { decodeErrors, joinSegments, probeDuration } from './media-checks.js';
import { collector, firstVideoFrameIsKey, makeH264AacFile, type Collected } from './live-helpers.js';

afterAll(cleanupTempDirs);

/** The checks every live cut's output must pass, whatever its input. */
async function expectPlayableChunks(dir: string, collected: Collected): Promise<number> {
  const { inits, chunks } = collected;
  expect(inits).toHaveLength(1);
  expect(inits[0]!.mimeType).toMatch(/^video\/mp4; codecs="avc1\.[0-9a-f]{6}, mp4a\.40\.2"$/);
  expect(chunks.map((chunk) => chunk.index)).toEqual(chunks.map((_, index) => index));
  for (const chunk of chunks) {
    expect(chunk.sha256).toBe(createHash('sha256').update(chunk.bytes).digest('hex'));
    // Each chunk alone after the init segment starts with a keyframe: a late viewer can start there.
    const alone = joinSegments(dir, `chunk-${chunk.index}.mp4`, inits[0]!.bytes, [chunk.bytes]);
    expect(await firstVideoFrameIsKey(alone), `chunk ${chunk.index} starts with a keyframe`).toBe(true);
  }
  // Chunks tile the timeline.
  for (let i = 1; i < chunks.length; i++)
    expect(chunks[i]!.start).toBeCloseTo(chunks[i - 1]!.start + chunks[i - 1]!.duration, 2);
  const whole = joinSegments(
    dir,
    'whole.mp4',
    inits[0]!.bytes,
    chunks.map((chunk) => chunk.bytes),
  );
  expect(await decodeErrors(whole)).toBe('');
  const last = chunks.at(-1)!;
  const duration = await probeDuration(whole);
  expect(duration).toBeGreaterThan(last.start + last.duration - 0.15);
  expect(duration).toBeLessThan(last.start + last.duration + 0.15);
  return duration;
}

/** Capture times rise with the media and lie a little before each chunk reached us. */
function expectCaptureTimes(collected: Collected): void {
  const { chunks, startedAt } = collected;
  for (const [i, chunk] of chunks.entries()) {
    expect(chunk.captureTime).toBeGreaterThanOrEqual(startedAt - 100);
    const delay = chunk.arrivedAt - chunk.captureTime;
    // A chunk can only be handed out once its last frame exists, so it arrives after its length.
    expect(delay, `chunk ${i}: arrived ${delay} ms after capture`).toBeGreaterThanOrEqual(
      chunk.duration * 1000 - 150,
    );
    expect(delay, `chunk ${i}: arrived ${delay} ms after capture`).toBeLessThan(chunk.duration * 1000 + 2000);
    if (i === 0) continue;
    const previous = chunks[i - 1]!;
    const step = chunk.captureTime - previous.captureTime;
    expect(step, `capture step before chunk ${i}`).toBeGreaterThan(previous.duration * 1000 - 300);
    expect(step, `capture step before chunk ${i}`).toBeLessThan(previous.duration * 1000 + 300);
  }
}

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
    expect(firstDelay, `first chunk after ${firstDelay} ms`).toBeLessThan(3000);
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
    expect(chunks.every((chunk) => chunk.captureTimeSource === 'fragment-written')).toBe(true);
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
    await expectPlayableChunks(dir, collected);
  });
});
