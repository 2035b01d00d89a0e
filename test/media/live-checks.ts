/** What every live cut's output must satisfy, whatever its input; shared by the live test files. */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { decodeErrors, joinSegments, probeDuration } from './media-checks.js';
import { firstVideoFrameIsKey, type Collected } from './live-helpers.js';

/** The checks every live cut's output must pass, whatever its input. */
export async function expectPlayableChunks(dir: string, collected: Collected): Promise<number> {
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
export function expectCaptureTimes(collected: Collected): void {
  const { chunks, startedAt } = collected;
  for (const [i, chunk] of chunks.entries()) {
    expect(chunk.captureTime).toBeGreaterThanOrEqual(startedAt - 100);
    const delay = chunk.arrivedAt - chunk.captureTime;
    // A chunk can only be handed out once its last frame exists, so it arrives after its length.
    expect(delay, `chunk ${i}: arrived ${delay} ms after capture`).toBeGreaterThanOrEqual(
      chunk.duration * 1000 - 150,
    );
    // The bounds are loose on purpose: a whole suite on two cores delays a real-time encoder by
    // seconds at times. They catch a wrong date (off by the stream's length, or by the epoch), not a
    // slow one; how late chunks arrive is measured in bench/, not asserted here.
    expect(delay, `chunk ${i}: arrived ${delay} ms after capture`).toBeLessThan(chunk.duration * 1000 + 6000);
    if (i === 0) continue;
    const previous = chunks[i - 1]!;
    const step = chunk.captureTime - previous.captureTime;
    expect(step, `capture step before chunk ${i}`).toBeGreaterThan(previous.duration * 1000 - 800);
    expect(step, `capture step before chunk ${i}`).toBeLessThan(previous.duration * 1000 + 800);
  }
}
