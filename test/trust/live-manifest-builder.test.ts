import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkManifest } from '../../core/shared/manifest-schema.js';
import {
  LiveManifestBuilder,
  newLiveStreamId,
  type LiveChunkInput,
  type LiveStreamStart,
} from '../../core/trust/live-manifest-builder.js';
import { liveChunkProblem } from '../../core/trust/live-signature.js';
import { signatureProblem } from '../../core/trust/manifest-signature.js';
import { publisherKeyPairFromSeed } from '../../core/trust/publisher-key.js';

const KEY = publisherKeyPairFromSeed(new Uint8Array(32).fill(11));
const CAPTURED = Date.UTC(2026, 11, 3, 2, 0, 0);

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function start(overrides: Partial<LiveStreamStart> = {}): LiveStreamStart {
  return {
    name: 'lecture',
    mimeType: 'video/mp4; codecs="avc1.64001f"',
    width: 640,
    height: 360,
    init: { size: 800, sha256: sha('init') },
    ingest: { mode: 'remux', sourceCodecs: ['h264'] },
    stream: newLiveStreamId(),
    window: 0,
    startedAt: '2026-12-03T02:00:00.000Z',
    ...overrides,
  };
}

/** The chunk after `previous` seconds of stream, lasting `duration`. */
function chunk(at: number, duration = 1, extra: Partial<LiveChunkInput> = {}): LiveChunkInput {
  return {
    start: at,
    duration,
    size: 500,
    sha256: sha(`at ${at}`),
    captureTime: CAPTURED + Math.round(at * 1000),
    ...extra,
  };
}

function appendSeconds(builder: LiveManifestBuilder, count: number, from = 0): void {
  for (let at = from; at < from + count; at += 1) builder.append(chunk(at));
}

/** What every manifest the builder hands out must be: read by the schema as it is, and signed. */
function expectValid(manifest: unknown): void {
  const read = checkManifest(manifest);
  expect(read.problem).toBeUndefined();
  expect(read.manifest).toEqual(manifest);
  expect(signatureProblem(read.manifest!)).toBeNull();
}

describe('LiveManifestBuilder', () => {
  it('makes stream ids of 32 lower-case hex digits, a new one each time', () => {
    const id = newLiveStreamId();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(newLiveStreamId()).not.toBe(id);
  });

  it('starts a signed header in state live, dated by its start', () => {
    const builder = new LiveManifestBuilder(start(), KEY);
    expect(builder.header.live).toEqual({
      stream: builder.header.live.stream,
      state: 'live',
      startedAt: '2026-12-03T02:00:00.000Z',
      window: 0,
    });
    expect(builder.header.createdAt).toBe('2026-12-03T02:00:00.000Z');
    expect(builder.header.publisher).toBe(KEY.publicKey);
  });

  it('refuses a header the schema refuses, naming the field', () => {
    expect(() => new LiveManifestBuilder(start({ stream: 'ABC' }), KEY)).toThrow(
      /cannot be signed: live\.stream must be a stream id: 32 lower-case hex digits, got "ABC"/,
    );
    expect(() => new LiveManifestBuilder(start({ window: 90_000 }), KEY)).toThrow(/live\.window must be/);
  });

  it('has no manifest before its first chunk: a stream is announced once it has one', () => {
    expect(() => new LiveManifestBuilder(start(), KEY).manifest()).toThrow(
      /The live stream "lecture" has no chunk yet/,
    );
  });

  it('numbers appended chunks in order and returns each signed entry, which the header verifies', () => {
    const builder = new LiveManifestBuilder(start(), KEY);
    const entries = [builder.append(chunk(0, 1.5)), builder.append(chunk(1.5, 0.5))];
    expect(entries.map((entry) => entry.index)).toEqual([0, 1]);
    for (const entry of entries) expect(liveChunkProblem(builder.header, entry)).toBeNull();
    const manifest = builder.manifest();
    expect(manifest.chunks).toEqual(entries);
    expect(manifest.duration).toBe(2);
    expectValid(manifest);
  });

  it('goes on after an input restart on the same timeline and stream, marking the chunk', () => {
    const builder = new LiveManifestBuilder(start(), KEY);
    appendSeconds(builder, 3);
    const restarted = builder.append(chunk(3, 1, { discontinuity: true, captureTime: CAPTURED + 60_000 }));
    builder.append(chunk(4, 1, { discontinuity: false }));
    expect(restarted.discontinuity).toBe(true);
    const manifest = builder.manifest();
    expect(manifest.chunks[4]).not.toHaveProperty('discontinuity');
    expectValid(manifest);
  });

  it('refuses a chunk that does not start where the last ended', () => {
    const builder = new LiveManifestBuilder(start(), KEY);
    appendSeconds(builder, 2);
    expect(() => builder.append(chunk(2.5))).toThrow(
      /Chunk 2 of the live stream "lecture" starts at 2.5 s, but the previous chunk ended at 2 s/,
    );
    expect(() => builder.append(chunk(1))).toThrow(/starts at 1 s/);
    // Within the schema's tolerance is where it ended.
    builder.append(chunk(2.0004));
    expectValid(builder.manifest());
  });

  it('refuses a chunk the schema refuses, naming the field and the chunk, and numbers on', () => {
    const builder = new LiveManifestBuilder(start(), KEY);
    expect(() => builder.append(chunk(0, 1, { sha256: 'xyz' }))).toThrow(
      /Chunk 0 of the live stream "lecture" cannot be signed: sha256 must be 64 lower-case hex digits, got "xyz"/,
    );
    expect(() => builder.append(chunk(0, 1, { captureTime: 1.5 }))).toThrow(/captureTime must be/);
    expect(builder.append(chunk(0)).index).toBe(0);
  });

  it('keeps a first chunk that starts later than 0 on the stream timeline', () => {
    const builder = new LiveManifestBuilder(start(), KEY);
    appendSeconds(builder, 2, 10);
    expect(builder.manifest().chunks.map((entry) => entry.start)).toEqual([10, 11]);
    expectValid(builder.manifest());
  });

  describe('the window', () => {
    it('drops chunks that start more than the window before the newest end, keeping indexes', () => {
      const builder = new LiveManifestBuilder(start({ window: 5 }), KEY);
      appendSeconds(builder, 12);
      const manifest = builder.manifest();
      // Ends at 12: chunks starting at 7 to 11 are within 5 s of it.
      expect(manifest.chunks.map((entry) => entry.index)).toEqual([7, 8, 9, 10, 11]);
      expect(manifest.chunks[0]!.start).toBe(7);
      expect(manifest.duration).toBe(12);
      expectValid(manifest);
    });

    it('keeps the newest chunk even when it is longer than the window', () => {
      const builder = new LiveManifestBuilder(start({ window: 1 }), KEY);
      builder.append(chunk(0, 3));
      builder.append(chunk(3, 2));
      expect(builder.manifest().chunks.map((entry) => entry.index)).toEqual([1]);
      expectValid(builder.manifest());
    });

    it('keeps every chunk with window 0', () => {
      const builder = new LiveManifestBuilder(start({ window: 0 }), KEY);
      appendSeconds(builder, 50);
      expect(builder.manifest().chunks).toHaveLength(50);
    });

    it('stays right across the batches in which dropped chunks are let go', () => {
      const builder = new LiveManifestBuilder(start({ window: 10 }), KEY);
      appendSeconds(builder, 3000);
      const manifest = builder.manifest();
      expect(manifest.chunks.map((entry) => entry.index)).toEqual(
        Array.from({ length: 10 }, (_, at) => 2990 + at),
      );
      expectValid(manifest);
    });
  });

  describe('end', () => {
    it('re-signs the header with the final state; chunks and digest stay', () => {
      const builder = new LiveManifestBuilder(start(), KEY);
      appendSeconds(builder, 3);
      const before = builder.manifest();
      const header = builder.end('ended');
      expect(header.live.state).toBe('ended');
      expect(header.signature).not.toBe(before.signature);
      const after = builder.manifest();
      expect(after.chunks).toEqual(before.chunks);
      expectValid(after);
      // The old header signature does not cover the new state.
      expect(signatureProblem({ ...after, signature: before.signature })).toMatch(/does not match/);
    });

    it('refuses chunks after the end, and a second end', () => {
      const builder = new LiveManifestBuilder(start(), KEY);
      appendSeconds(builder, 1);
      builder.end('failed');
      expect(builder.manifest().live.state).toBe('failed');
      expect(() => builder.append(chunk(1))).toThrow(
        /The live stream "lecture" has failed: no chunk can be added after it ends/,
      );
      expect(() => builder.end('ended')).toThrow(/has already failed; it cannot end again as ended/);
    });
  });

  describe('toOnDemand: the recording', () => {
    it('is an ordinary signed video: no live, no per-chunk live fields', () => {
      const builder = new LiveManifestBuilder(start(), KEY);
      builder.append(chunk(0, 1.25));
      builder.append(chunk(1.25, 1, { discontinuity: true }));
      builder.append(chunk(2.25, 0.75));
      builder.end('ended');
      const recording = builder.toOnDemand();
      expect(recording).not.toHaveProperty('live');
      for (const entry of recording.chunks) {
        expect(Object.keys(entry).sort()).toEqual(['duration', 'index', 'sha256', 'size', 'start']);
      }
      expect(recording.chunks.map((entry) => entry.sha256)).toEqual(
        builder.manifest().chunks.map((entry) => entry.sha256),
      );
      expect(recording.duration).toBe(3);
      expect(recording.publisher).toBe(KEY.publicKey);
      expectValid(recording);
    });

    it('may be taken while the stream is live: what exists so far', () => {
      const builder = new LiveManifestBuilder(start(), KEY);
      appendSeconds(builder, 2);
      expectValid(builder.toOnDemand());
    });

    it('is refused once the window dropped chunks, saying how many and what to do', () => {
      const builder = new LiveManifestBuilder(start({ window: 3 }), KEY);
      appendSeconds(builder, 10);
      expect(() => builder.toOnDemand()).toThrow(
        'The live stream "lecture" cannot be kept as a recording: its 3 s window dropped its first 7 chunks. Start a stream with window 0 to keep its recording.',
      );
    });

    it('is refused when the stream timeline did not start at 0', () => {
      const builder = new LiveManifestBuilder(start(), KEY);
      appendSeconds(builder, 2, 5);
      expect(() => builder.toOnDemand()).toThrow(/its first chunk starts at 5 s, not 0/);
    });
  });
});

describe('LiveManifestBuilder.resume', () => {
  it('goes on with an ended stream: same id and chunks, the header live again, the next index and time after the last', () => {
    const first = new LiveManifestBuilder(start({ window: 0 }), KEY);
    appendSeconds(first, 3);
    first.end('failed');
    const ended = first.manifest();
    const again = LiveManifestBuilder.resume(ended, KEY);
    expect(again.header.live).toEqual({ ...ended.live, state: 'live' });
    expect(again.timelineEnd).toBe(3);
    const next = again.append(chunk(3, 1, { discontinuity: true }));
    expect(next).toMatchObject({ index: 3, start: 3, discontinuity: true });
    const manifest = again.manifest();
    expectValid(manifest);
    expect(manifest.chunks.slice(0, 3)).toEqual(ended.chunks);
    expect(liveChunkProblem(again.header, next)).toBeNull();
  });

  it('keeps a windowed list as it stands, and refuses another key', () => {
    const first = new LiveManifestBuilder(start({ window: 2 }), KEY);
    appendSeconds(first, 6);
    first.end('ended');
    const again = LiveManifestBuilder.resume(first.manifest(), KEY);
    again.append(chunk(6, 1, { discontinuity: true }));
    expect(again.manifest().chunks.map((entry) => entry.index)).toEqual([5, 6]);
    expectValid(again.manifest());
    const other = publisherKeyPairFromSeed(new Uint8Array(32).fill(12));
    expect(() => LiveManifestBuilder.resume(first.manifest(), other)).toThrow(/another key/);
  });
});
