import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import {
  MAX_CHUNK_INDEX,
  checkLiveChunk,
  checkLiveHeader,
  checkManifest,
  describeManifestProblem,
} from '../../core/shared/manifest-schema.js';
import type { LiveManifest, MediaManifest } from '../../core/shared/manifest.js';
import { CHUNK_INDEX_LIMIT } from '../../core/protocol/limits.js';

const HASH = 'ab'.repeat(32);
const STREAM = '0123456789abcdef0123456789abcdef';
const SIGNATURE = 'A'.repeat(86);
const CAPTURED = Date.UTC(2026, 11, 3, 2, 0, 0);

/** A live stream an hour in, whose 60 s window kept chunks 3600 to 3602 (unsigned). */
function live(): LiveManifest {
  return {
    version: 1,
    kind: 'fmp4',
    name: 'keynote',
    mimeType: 'video/mp4; codecs="avc1.64001f, mp4a.40.2"',
    duration: 3603,
    width: 1280,
    height: 720,
    init: { size: 1200, sha256: HASH },
    chunks: [
      { index: 3600, start: 3600, duration: 1, size: 1000, sha256: HASH, captureTime: CAPTURED },
      {
        index: 3601,
        start: 3601,
        duration: 1.5,
        size: 900,
        sha256: HASH,
        captureTime: CAPTURED + 1000,
        discontinuity: true,
      },
      { index: 3602, start: 3602.5, duration: 0.5, size: 800, sha256: HASH, captureTime: CAPTURED + 2500 },
    ],
    createdAt: '2026-12-03T01:00:00.000Z',
    ingest: { mode: 'transcode', sourceCodecs: ['h264', 'aac'] },
    live: { stream: STREAM, state: 'live', startedAt: '2026-12-03T01:00:00.000Z', window: 60 },
  };
}

/** The same stream, signed: every chunk carries a signature (their bytes are not checked here). */
function signedLive(): LiveManifest {
  const manifest = live();
  return {
    ...manifest,
    publisher: 'a'.repeat(52),
    signature: SIGNATURE,
    chunks: manifest.chunks.map((chunk) => ({ ...chunk, signature: SIGNATURE })),
  };
}

/** An on-demand video, as test/shared/manifest-schema.test.ts has it. */
function onDemand(): MediaManifest {
  return {
    version: 1,
    kind: 'fmp4',
    name: 'talk.mp4',
    mimeType: 'video/mp4; codecs="avc1.64001f, mp4a.40.2"',
    duration: 3,
    width: 1280,
    height: 720,
    init: { size: 1200, sha256: HASH },
    chunks: [
      { index: 0, start: 0, duration: 2, size: 1000, sha256: HASH },
      { index: 1, start: 2, duration: 1, size: 900, sha256: HASH },
    ],
    createdAt: '2024-05-01T12:00:00.000Z',
    ingest: { mode: 'remux', sourceCodecs: ['h264', 'aac'] },
  };
}

type Mutable = Record<string, unknown> & {
  live: Record<string, unknown>;
  chunks: Array<Record<string, unknown>>;
};
type Mutation = (value: Mutable) => void;

function problemOf(value: unknown): string {
  const checked = checkManifest(value);
  if (checked.problem === undefined) throw new Error('the manifest was accepted');
  return describeManifestProblem(checked.problem);
}

function mutated(base: () => object, mutate: Mutation): Mutable {
  const value = JSON.parse(JSON.stringify(base())) as Mutable;
  mutate(value);
  return value;
}

describe('checkManifest: a live stream', () => {
  it('reads a live manifest whose list starts above index 0, and returns it unchanged', () => {
    for (const make of [live, signedLive]) {
      const input = make();
      expect(checkManifest(input)).toEqual({ manifest: input });
      // Across the wire, where the codec writes an absent field as nil.
      expect(checkManifest(unpack(pack(input)))).toEqual({ manifest: input });
    }
  });

  it('reads a live manifest of one chunk, at index 0', () => {
    const one = { ...live(), duration: 1, chunks: [{ ...live().chunks[0]!, index: 0, start: 0 }] };
    expect(checkManifest(one)).toEqual({ manifest: one });
  });

  it('reads every state, and a window of 0 (keep every chunk)', () => {
    for (const state of ['live', 'ended', 'failed']) {
      const value = mutated(live, (m) => ((m.live.state = state), (m.live.window = 0)));
      expect(checkManifest(value).problem).toBeUndefined();
    }
  });

  it('reads nil live fields as absent, so the signed bytes do not depend on the encoder', () => {
    const withNils = mutated(live, (m) => {
      m.chunks[0]!.discontinuity = null;
      m.chunks[0]!.signature = null;
    });
    const { manifest } = checkManifest(withNils);
    expect(manifest!.chunks[0]).toEqual(live().chunks[0]);
    expect(manifest!.chunks[0]).not.toHaveProperty('discontinuity');
    expect(manifest!.chunks[0]).not.toHaveProperty('signature');
    expect(checkManifest({ ...onDemand(), live: null }).manifest).not.toHaveProperty('live');
  });

  it('keeps the chunk index bound in step with the wire', () => {
    expect(MAX_CHUNK_INDEX).toBe(CHUNK_INDEX_LIMIT - 1);
    const last = mutated(live, (m) => {
      m.chunks = [{ ...m.chunks[0]!, index: MAX_CHUNK_INDEX }];
      m.duration = 3601;
    });
    expect(checkManifest(last).problem).toBeUndefined();
    const past = mutated(live, (m) => (m.chunks[0]!.index = MAX_CHUNK_INDEX + 1));
    expect(problemOf(past)).toBe('chunks[0].index must be a whole number from 0 to 9999999, got 10000000');
  });

  it.each<[string, Mutation, string]>([
    [
      'live not a map',
      (m) => ((m as Record<string, unknown>).live = 'yes'),
      'live must be a map of { stream, state, startedAt, window }, got "yes"',
    ],
    [
      'a stream id in capitals',
      (m) => (m.live.stream = STREAM.toUpperCase()),
      `live.stream must be a stream id: 32 lower-case hex digits, got "${STREAM.toUpperCase()}"`,
    ],
    [
      'a short stream id',
      (m) => (m.live.stream = 'abc'),
      'live.stream must be a stream id: 32 lower-case hex digits, got "abc"',
    ],
    [
      'no stream id',
      (m) => delete m.live.stream,
      'live.stream must be a stream id: 32 lower-case hex digits, got nothing',
    ],
    [
      'an unknown state',
      (m) => (m.live.state = 'paused'),
      'live.state must be "live", "ended" or "failed", got "paused"',
    ],
    [
      'a bad start time',
      (m) => (m.live.startedAt = 'at noon'),
      'live.startedAt must be an ISO 8601 date-time, got "at noon"',
    ],
    [
      'a negative window',
      (m) => (m.live.window = -1),
      'live.window must be a whole number from 0 to 86400, got -1',
    ],
    [
      'a window over a day',
      (m) => (m.live.window = 86401),
      'live.window must be a whole number from 0 to 86400, got 86401',
    ],
    [
      'a fractional window',
      (m) => (m.live.window = 1.5),
      'live.window must be a whole number from 0 to 86400, got 1.5',
    ],
    [
      'a capture time in seconds',
      (m) => (m.chunks[1]!.captureTime = Math.floor(CAPTURED / 1000)),
      `chunks[1].captureTime must be a capture time in whole Unix milliseconds, from 946684800000 (2000-01-01) to 4102444800000 (2100-01-01), got ${Math.floor(CAPTURED / 1000)}`,
    ],
    [
      'a capture time in microseconds',
      (m) => (m.chunks[1]!.captureTime = CAPTURED * 1000),
      `chunks[1].captureTime must be a capture time in whole Unix milliseconds, from 946684800000 (2000-01-01) to 4102444800000 (2100-01-01), got ${CAPTURED * 1000}`,
    ],
    [
      'a fractional capture time',
      (m) => (m.chunks[1]!.captureTime = CAPTURED + 0.5),
      `chunks[1].captureTime must be a capture time in whole Unix milliseconds, from 946684800000 (2000-01-01) to 4102444800000 (2100-01-01), got ${CAPTURED + 0.5}`,
    ],
    [
      'a chunk without its capture time',
      (m) => delete m.chunks[2]!.captureTime,
      'chunks[2].captureTime must be a capture time in whole Unix milliseconds, from 946684800000 (2000-01-01) to 4102444800000 (2100-01-01): every chunk of a live stream carries one, got nothing',
    ],
    [
      'discontinuity false',
      (m) => (m.chunks[0]!.discontinuity = false),
      'chunks[0].discontinuity must be true (the input restarted just before this chunk), or absent, got false',
    ],
    [
      'a chunk signature not base64url',
      (m) => (m.chunks[0]!.signature = 'not a signature'),
      'chunks[0].signature must be an Ed25519 signature: 86 characters of base64url, got "not a signature"',
    ],
    [
      'an index gap',
      (m) => (m.chunks[2]!.index = 3603),
      'chunks[2].index must be 3602 (indexes run from chunks[0].index, 3600, without gaps), got 3603',
    ],
    [
      'a gap in time',
      (m) => (m.chunks[1]!.start = 3601.5),
      "chunks[1].start must be the previous chunk's start + duration (3601), got 3601.5",
    ],
    [
      'a duration short of the last chunk',
      (m) => (m.duration = 3),
      "duration must be the last chunk's start + duration (3603), got 3",
    ],
    ['no chunk', (m) => (m.chunks = []), 'chunks must be a list of at least one chunk, got a list of 0'],
    [
      'a signed chunk in an unsigned manifest',
      (m) => (m.chunks[1]!.signature = SIGNATURE),
      `chunks[1].signature must be absent when the manifest names no publisher (there is no key to check it by), got "${SIGNATURE.slice(0, 76)}...`,
    ],
  ])('refuses %s, naming the field', (_name, mutate, text) => {
    expect(problemOf(mutated(live, mutate))).toBe(text);
  });

  it('refuses an unsigned chunk in a signed manifest, naming it', () => {
    const value = mutated(signedLive, (m) => delete m.chunks[2]!.signature);
    expect(problemOf(value)).toBe(
      "chunks[2].signature must be the publisher's signature of the chunk, as the manifest names a publisher, got nothing",
    );
  });

  it.each(['captureTime', 'discontinuity', 'signature'])(
    'refuses a chunk %s on an on-demand manifest',
    (field) => {
      const values: Record<string, unknown> = {
        captureTime: CAPTURED,
        discontinuity: true,
        signature: SIGNATURE,
      };
      // Long values are cut short in the message.
      const shown: Record<string, string> = {
        captureTime: String(CAPTURED),
        discontinuity: 'true',
        signature: `"${SIGNATURE.slice(0, 76)}...`,
      };
      const value = mutated(onDemand, (m) => (m.chunks[1]![field] = values[field]));
      expect(problemOf(value)).toBe(
        `chunks[1].${field} must be absent in a manifest without live (only a live stream's chunks carry one), got ${shown[field]}`,
      );
    },
  );

  it('still holds an on-demand manifest to index 0 and time 0', () => {
    const shifted = mutated(onDemand, (m) => {
      m.chunks = m.chunks.map((chunk) => ({ ...chunk, index: (chunk.index as number) + 5 }));
    });
    expect(problemOf(shifted)).toBe('chunks[0].index must be 0 (indexes run from 0 without gaps), got 5');
    const late = mutated(onDemand, (m) => (m.chunks[0]!.start = 1));
    expect(problemOf(late)).toMatch(/^chunks\[0\]\.start must be 0 for the first chunk, got 1$/);
  });
});

describe('checkLiveHeader', () => {
  function header(): Record<string, unknown> {
    const { chunks: _chunks, duration: _duration, ...rest } = live();
    return rest;
  }

  it('reads a header without chunks and duration', () => {
    expect(checkLiveHeader(header())).toEqual({ header: header() });
  });

  it('requires live, and refuses what the manifest refuses', () => {
    const { live: _live, ...noLive } = header();
    expect(describeManifestProblem(checkLiveHeader(noLive).problem!)).toBe(
      'live must be a map of { stream, state, startedAt, window }, got nothing',
    );
    expect(checkLiveHeader({ ...header(), version: 2 }).problem?.path).toBe('version');
    expect(checkLiveHeader({ ...header(), signature: SIGNATURE }).problem?.path).toBe('publisher');
    expect(checkLiveHeader({ ...header(), width: null }).problem?.path).toBe('height');
    expect(checkLiveHeader([]).problem?.path).toBe('');
  });
});

describe('checkLiveChunk', () => {
  it('reads a chunk as a master would announce it', () => {
    const chunk = signedLive().chunks[1]!;
    expect(checkLiveChunk(chunk)).toEqual({ chunk });
  });

  it('names the field by the chunk’s own path, and requires a capture time', () => {
    const { captureTime: _c, ...undated } = live().chunks[0]!;
    expect(checkLiveChunk(undated).problem?.path).toBe('captureTime');
    expect(describeManifestProblem(checkLiveChunk({ ...live().chunks[0]!, sha256: 'abc' }).problem!)).toBe(
      'sha256 must be 64 lower-case hex digits, got "abc"',
    );
  });
});
