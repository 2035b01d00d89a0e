/**
 * The live grouping and dating rules on made-up fragments, where every time is known: chunks close
 * as soon as they hold their target, only at keyframes, and carry the capture time the module
 * comment promises for each kind of prft.
 */
import { describe, expect, it } from 'vitest';
import type { ParsedFragment } from '../../core/media/fmp4-stream.js';
import type { PlacedFragment } from '../../core/media/fragment-timeline.js';
import { LiveChunkAssembler } from '../../core/media/live-chunk-assembler.js';
import type { ProducerReferenceTime } from '../../core/media/producer-reference-time.js';
import { sha256Hex } from '../../core/util/hash.js';

const T0 = 1_800_000_000_000;

function fragment(
  start: number,
  length: number,
  options: { key?: boolean; prft?: ProducerReferenceTime | null; size?: number } = {},
): [ParsedFragment, PlacedFragment] {
  const bytes = Buffer.alloc(options.size ?? 100, Math.round(start * 10));
  const parsed: ParsedFragment = {
    kind: 'fragment',
    parts: [bytes.subarray(0, 10), bytes.subarray(10)],
    bytes: bytes.length,
    info: { sequence: 0, tracks: [] },
    prft: options.prft ?? null,
  };
  const end = start + length;
  return [parsed, { start, end, timingEnd: end, startsWithSync: options.key ?? true }];
}

function written(wallClockMs: number): ProducerReferenceTime {
  return { trackId: 1, wallClockMs, atEncoderInput: false };
}

describe('LiveChunkAssembler', () => {
  it('closes a chunk the moment it holds its target, not at the next keyframe', () => {
    const assembler = new LiveChunkAssembler(1, 'test', true);
    expect(assembler.add(...fragment(0, 0.5), T0)).toEqual([]);
    const [first] = assembler.add(...fragment(0.5, 0.5), T0);
    expect(first).toMatchObject({ index: 0, start: 0, duration: 1 });
    expect(first!.bytes).toHaveLength(200);
    expect(first!.sha256).toBe(sha256Hex(first!.bytes));
    // A fragment a frame short of the target (forced keyframes land on frames) still closes one.
    const [second] = assembler.add(...fragment(1, 0.96), T0);
    expect(second).toMatchObject({ index: 1, start: 1, duration: 0.96 });
    expect(assembler.finish()).toBeNull();
  });

  it('drops frames before the first keyframe and refuses a chunk that would start without one', () => {
    const assembler = new LiveChunkAssembler(1, 'rtmp://0.0.0.0:1935/live', true);
    expect(assembler.add(...fragment(0, 0.4, { key: false }), T0)).toEqual([]);
    const [first] = assembler.add(...fragment(0.4, 1), T0);
    expect(first).toMatchObject({ index: 0, start: 0 });
    expect(() => assembler.add(...fragment(1.4, 1, { key: false }), T0)).toThrow(
      /rtmp:\/\/0\.0\.0\.0:1935\/live has a fragment at 1\.40 s that does not begin with a keyframe/,
    );
  });

  it('keeps a chunk within the largest a chunk may be, closing early at a keyframe', () => {
    const assembler = new LiveChunkAssembler(1, 'test', true, 250);
    assembler.add(...fragment(0, 0.3, { size: 100 }), T0);
    assembler.add(...fragment(0.3, 0.3, { size: 100 }), T0);
    const closed = assembler.add(...fragment(0.6, 0.3, { size: 100 }), T0);
    expect(closed.map((chunk) => chunk.bytes.length)).toEqual([200]);
    expect(() => assembler.add(...fragment(0.9, 0.3, { size: 200, key: false }), T0)).toThrow(
      /test sent .* MiB between two keyframes/,
    );
  });

  it('dates encoded chunks by the encoder-input prft of their first fragment', () => {
    const assembler = new LiveChunkAssembler(1, 'test', true);
    const encoderInput = { trackId: 1, wallClockMs: T0 + 123.4, atEncoderInput: true };
    const [chunk] = assembler.add(...fragment(0, 1, { prft: encoderInput }), T0 + 5000);
    expect(chunk).toMatchObject({ captureTime: T0 + 123, captureTimeSource: 'encoder-input' });
  });

  it('takes the stream clock when frames reached the encoder late, in a start-up backlog', () => {
    const assembler = new LiveChunkAssembler(1, 'test', true);
    // The first second was held while ffmpeg probed, then encoded at T0 + 1400 and handed on at once.
    const late = { trackId: 1, wallClockMs: T0 + 1400, atEncoderInput: true };
    const [c0] = assembler.add(...fragment(0, 1, { prft: late }), T0 + 1500);
    // From then on frames reach the encoder as they are captured.
    const onTime = { trackId: 1, wallClockMs: T0 + 1010, atEncoderInput: true };
    const [c1] = assembler.add(...fragment(1, 1, { prft: onTime }), T0 + 2050);
    expect(c0).toMatchObject({ captureTime: T0 + 500, captureTimeSource: 'stream-start' });
    expect(c1).toMatchObject({ captureTime: T0 + 1010, captureTimeSource: 'encoder-input' });
  });

  it('does not believe a prft that says encoder input from an ffmpeg whose encoder cannot say so', () => {
    // ffmpeg before 4.3 writes flags 0 for the time it wrote the fragment.
    const assembler = new LiveChunkAssembler(1, 'test', false);
    const flagsZero = { trackId: 1, wallClockMs: T0 + 1000, atEncoderInput: true };
    const [chunk] = assembler.add(...fragment(0, 1, { prft: flagsZero }), T0 + 1100);
    expect(chunk).toMatchObject({ captureTime: T0, captureTimeSource: 'stream-start' });
  });

  it('dates copied chunks by the earliest start the write times allow, so a backlog does not shift them', () => {
    const assembler = new LiveChunkAssembler(1, 'test', true);
    // Fragment 0 is written 1.5 s after its media began (a probe backlog), fragment 1 on time.
    const [c0] = assembler.add(...fragment(0, 1, { prft: written(T0 + 1500) }), T0 + 1500);
    const [c1] = assembler.add(...fragment(1, 1, { prft: written(T0 + 2000) }), T0 + 2000);
    // A late write (a busy machine) does not make the next chunk look captured late.
    const [c2] = assembler.add(...fragment(2, 1, { prft: written(T0 + 3900) }), T0 + 3900);
    expect(c0).toMatchObject({ captureTime: T0 + 500, captureTimeSource: 'stream-start' });
    expect(c1!.captureTime).toBe(T0 + 1000);
    expect(c2!.captureTime).toBe(T0 + 2000);
  });

  it('falls back to arrival times when ffmpeg writes no prft', () => {
    const assembler = new LiveChunkAssembler(1, 'test', true);
    const [c0] = assembler.add(...fragment(0, 1), T0 + 1200);
    expect(c0).toMatchObject({ captureTime: T0 + 200, captureTimeSource: 'stream-start' });
  });
});
