import { describe, expect, it } from 'vitest';
import { validateManifest } from '../../core/media/manifest-validate.js';
import type { LegacyManifest, MediaManifest } from '../../core/shared/manifest.js';

const HASH = 'ab'.repeat(32);

function media(): MediaManifest {
  return {
    version: 1,
    kind: 'fmp4',
    name: 'talk.mp4',
    mimeType: 'video/mp4; codecs="avc1.64001f, mp4a.40.2"',
    duration: 5.5,
    width: 1280,
    height: 720,
    init: { size: 1200, sha256: HASH },
    chunks: [
      { index: 0, start: 0, duration: 2.066667, size: 1000, sha256: HASH },
      { index: 1, start: 2.066667, duration: 2, size: 900, sha256: HASH },
      { index: 2, start: 4.066667, duration: 1.433333, size: 800, sha256: HASH },
    ],
    createdAt: '2024-05-01T12:00:00.000Z',
    ingest: { mode: 'remux', sourceCodecs: ['h264', 'aac'] },
  };
}

function legacy(): LegacyManifest {
  return {
    version: 1,
    kind: 'legacy',
    name: 'old.avi',
    mimeType: 'application/octet-stream',
    duration: null,
    width: null,
    height: null,
    init: null,
    chunks: [
      { index: 0, start: null, duration: null, size: 1048576, sha256: HASH },
      { index: 1, start: null, duration: null, size: 10, sha256: HASH },
    ],
    createdAt: '2024-05-01T12:00:00Z',
  };
}

type Mutation = (value: Record<string, unknown> & { chunks: Array<Record<string, unknown>> }) => void;

function rejects(base: () => object, mutate: Mutation, text: RegExp): void {
  const value = JSON.parse(JSON.stringify(base())) as Parameters<Mutation>[0];
  mutate(value);
  expect(() => validateManifest(value, { source: 'manifest of "x" from peer A', code: 'PROTOCOL' })).toThrow(
    expect.objectContaining({ code: 'PROTOCOL', message: expect.stringMatching(text) }),
  );
}

describe('validateManifest', () => {
  it('accepts both kinds and returns an equal, independent copy', () => {
    for (const make of [media, legacy]) {
      const input = make();
      const output = validateManifest(JSON.parse(JSON.stringify(input)));
      expect(output).toEqual(input);
      expect(output).not.toBe(input);
    }
  });

  it('rejects an unknown version, saying which versions it reads', () => {
    rejects(
      media,
      (m) => (m.version = 2),
      /^manifest of "x" from peer A has version 2, which this PeerStreamer does not know \(it reads version 1\); upgrade/,
    );
    rejects(media, (m) => delete m.version, /has version undefined/);
  });

  it.each<[string, Mutation, RegExp]>([
    ['not an object', (m) => (m.kind = 'hls'), /kind must be "fmp4" or "legacy", got "hls"/],
    ['unknown field', (m) => (m.extra = 1), /manifest\.extra is not a known field/],
    ['missing field', (m) => delete m.init, /manifest\.init is missing/],
    ['bad name', (m) => (m.name = '../etc/passwd'), /name is not a valid video name/],
    ['bad date', (m) => (m.createdAt = 'yesterday'), /createdAt must be an ISO 8601 date-time/],
    ['bad mime', (m) => (m.mimeType = 'video/mp4'), /mimeType must look like/],
    ['negative duration', (m) => (m.duration = -1), /duration must be a number of seconds > 0/],
    ['fractional width', (m) => (m.width = 12.5), /width must be a whole number/],
    ['half dimensions', (m) => (m.height = null), /width and height must both be numbers or both be null/],
    [
      'init size zero',
      (m) => ((m.init as { size: number }).size = 0),
      /init\.size must be a whole number from 1/,
    ],
    [
      'bad init hash',
      (m) => ((m.init as { sha256: string }).sha256 = 'AB'.repeat(32)),
      /init\.sha256 must be 64 lower-case hex digits/,
    ],
    ['bad mode', (m) => ((m.ingest as { mode: string }).mode = 'copy'), /ingest\.mode must be/],
    [
      'bad codecs',
      (m) => ((m.ingest as { sourceCodecs: unknown }).sourceCodecs = [1]),
      /ingest\.sourceCodecs must be a list/,
    ],
    ['no chunks', (m) => (m.chunks = []), /chunks must hold at least one chunk/],
    ['chunks not an array', (m) => ((m as Record<string, unknown>).chunks = {}), /chunks must be an array/],
    [
      'index gap',
      (m) => (m.chunks[1]!.index = 2),
      /chunks\[1\]\.index must be 1 \(indexes run from 0 without gaps\), got 2/,
    ],
    ['string size', (m) => (m.chunks[0]!.size = '1000'), /chunks\[0\]\.size must be a whole number/],
    [
      'short hash',
      (m) => (m.chunks[2]!.sha256 = 'abc'),
      /chunks\[2\]\.sha256 must be 64 lower-case hex digits, got "abc"/,
    ],
    ['null start', (m) => (m.chunks[1]!.start = null), /chunks\[1\]\.start must be a number of seconds >= 0/],
    [
      'overlap',
      (m) => (m.chunks[1]!.start = 1),
      /chunks\[1\]\.start must equal the previous chunk's start \+ duration/,
    ],
    ['first not at 0', (m) => (m.chunks[0]!.start = 0.5), /chunks\[0\]\.start must be 0 for the first chunk/],
    [
      'zero duration',
      (m) => (m.chunks[2]!.duration = 0),
      /chunks\[2\]\.duration must be a number of seconds > 0/,
    ],
    ['duration mismatch', (m) => (m.duration = 9), /duration must equal the last chunk's start \+ duration/],
    ['extra chunk field', (m) => (m.chunks[0]!.url = 'http://x'), /chunks\[0\]\.url is not a known field/],
    [
      'a poster of another format',
      (m) => (m.poster = { size: 10, sha256: HASH, mimeType: 'image/svg+xml' }),
      /poster\.mimeType must be one of image\/webp, image\/jpeg/,
    ],
    [
      'a poster too big',
      (m) => (m.poster = { size: 65537, sha256: HASH, mimeType: 'image/webp' }),
      /poster\.size must be a whole number from 1 to 65536/,
    ],
    [
      'an empty poster',
      (m) => (m.poster = { size: 0, sha256: HASH, mimeType: 'image/jpeg' }),
      /poster\.size must be a whole number/,
    ],
    [
      'a poster without its hash',
      (m) => (m.poster = { size: 10, mimeType: 'image/jpeg' }),
      /poster\.sha256 is missing/,
    ],
    [
      'a poster with a url',
      (m) => (m.poster = { size: 10, sha256: HASH, mimeType: 'image/jpeg', url: 'http://x' }),
      /poster\.url is not a known field/,
    ],
  ])('fmp4: %s', (_name, mutate, text) => rejects(media, mutate, text));

  it('accepts an fmp4 manifest with a poster, and one from before posters', () => {
    const withPoster: MediaManifest = {
      ...media(),
      poster: { size: 4096, sha256: HASH, mimeType: 'image/webp' },
    };
    expect(validateManifest(JSON.parse(JSON.stringify(withPoster)))).toEqual(withPoster);
    expect(validateManifest(JSON.parse(JSON.stringify(media())))).not.toHaveProperty('poster');
  });

  it.each<[string, Mutation, RegExp]>([
    ['with times', (m) => (m.chunks[0]!.start = 0), /chunks\[0\]\.start must be null in a legacy manifest/],
    ['with an init', (m) => (m.init = { size: 1, sha256: HASH }), /init must be null in a legacy manifest/],
    [
      'with a media mime type',
      (m) => (m.mimeType = 'video/mp4'),
      /mimeType must be "application\/octet-stream"/,
    ],
    [
      'with an ingest field',
      (m) => (m.ingest = { mode: 'remux', sourceCodecs: [] }),
      /manifest\.ingest is not a known field/,
    ],
    [
      'with a poster',
      (m) => (m.poster = { size: 10, sha256: HASH, mimeType: 'image/webp' }),
      /manifest\.poster is not a known field/,
    ],
  ])('legacy: %s', (_name, mutate, text) => rejects(legacy, mutate, text));

  it('rejects non-objects and uses INVALID_ARGUMENT by default', () => {
    for (const value of [null, 'manifest', [], 42]) {
      expect(() => validateManifest(value)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });
});
