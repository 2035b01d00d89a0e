import { describe, expect, it } from 'vitest';
import { checkManifest, describeManifestProblem } from '../../core/shared/manifest-schema.js';
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

/** The problem in words, as the store and legacy import word it. */
function problemOf(value: unknown): string {
  const checked = checkManifest(value);
  if (checked.problem === undefined) throw new Error('the manifest was accepted');
  return describeManifestProblem(checked.problem);
}

function rejects(base: () => object, mutate: Mutation, text: RegExp): void {
  const value = JSON.parse(JSON.stringify(base())) as Parameters<Mutation>[0];
  mutate(value);
  expect(problemOf(value)).toMatch(text);
}

describe('checkManifest', () => {
  it('accepts both kinds and returns an equal, independent copy', () => {
    for (const make of [media, legacy]) {
      const input = make();
      const { manifest } = checkManifest(input);
      expect(manifest).toEqual(input);
      expect(manifest).not.toBe(input);
      expect(manifest!.chunks[0]).not.toBe(input.chunks[0]);
    }
  });

  it('rejects an unknown version, saying which version it reads', () => {
    rejects(
      media,
      (m) => (m.version = 2),
      /^version must be 1, the only manifest version this PeerStreamer reads \(upgrade it to read newer ones\), got 2$/,
    );
    rejects(media, (m) => delete m.version, /^version must be 1, .* got nothing$/);
  });

  it('drops fields it does not know, so a newer node may add optional ones', () => {
    const value = { ...media(), extra: 1, chunks: media().chunks.map((chunk) => ({ ...chunk, url: 'x' })) };
    expect(checkManifest(value)).toEqual({ manifest: media() });
    expect(checkManifest({ ...legacy(), ingest: { mode: 'remux', sourceCodecs: [] } })).toEqual({
      manifest: legacy(),
    });
  });

  it('reads a nil poster as none', () => {
    expect(checkManifest({ ...media(), poster: null }).manifest).not.toHaveProperty('poster');
  });

  it('checks the length of the chunk list before walking it', () => {
    const chunks = new Array(1_000_001).fill('not a chunk');
    expect(problemOf({ ...media(), chunks })).toBe(
      'chunks must be a list of at most 1000000 chunks, got a list of 1000001',
    );
  });

  it.each<[string, Mutation, RegExp]>([
    ['an unknown kind', (m) => (m.kind = 'hls'), /^kind must be "fmp4" or "legacy", got "hls"$/],
    ['missing field', (m) => delete m.init, /^init must be a map of \{ size, sha256 \}, got nothing$/],
    [
      'bad name',
      (m) => (m.name = '../etc/passwd'),
      /^name must be a valid video name \(it contains a path separator\), got "..\/etc\/passwd"$/,
    ],
    ['bad date', (m) => (m.createdAt = 'yesterday'), /createdAt must be an ISO 8601 date-time/],
    [
      'bad mime',
      (m) => (m.mimeType = 'video/webm'),
      /^mimeType must be a MIME type like video\/mp4; codecs="avc1.64001f, mp4a.40.2", got "video\/webm"$/,
    ],
    ['negative duration', (m) => (m.duration = -1), /duration must be a number of seconds > 0/],
    ['fractional width', (m) => (m.width = 12.5), /^width must be a whole number from 1 to 65535, got 12.5$/],
    [
      'half dimensions',
      (m) => (m.height = null),
      /^height must be null when width is, and a number when width is, got null$/,
    ],
    [
      'init size zero',
      (m) => ((m.init as { size: number }).size = 0),
      /^init\.size must be a whole number from 1 to 67108864, got 0$/,
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
      /^ingest\.sourceCodecs\[0\] must be a codec name, got 1$/,
    ],
    ['no chunks', (m) => (m.chunks = []), /^chunks must be a list of at least one chunk, got a list of 0$/],
    [
      'chunks not an array',
      (m) => ((m as Record<string, unknown>).chunks = {}),
      /^chunks must be a list of at most 1000000 chunks, got a map$/,
    ],
    [
      'index gap',
      (m) => (m.chunks[1]!.index = 2),
      /^chunks\[1\]\.index must be 1 \(indexes run from 0 without gaps\), got 2$/,
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
      /^chunks\[1\]\.start must be the previous chunk's start \+ duration \(2.066667\), got 1$/,
    ],
    ['first not at 0', (m) => (m.chunks[0]!.start = 0.5), /chunks\[0\]\.start must be 0 for the first chunk/],
    [
      'zero duration',
      (m) => (m.chunks[2]!.duration = 0),
      /chunks\[2\]\.duration must be a number of seconds > 0/,
    ],
    [
      'duration mismatch',
      (m) => (m.duration = 9),
      /^duration must be the last chunk's start \+ duration \(5.5\), got 9$/,
    ],
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
      /^poster\.sha256 must be 64 lower-case hex digits, got nothing$/,
    ],
  ])('fmp4: %s', (_name, mutate, text) => rejects(media, mutate, text));

  it('accepts an fmp4 manifest with a poster, and one from before posters', () => {
    const withPoster: MediaManifest = {
      ...media(),
      poster: { size: 4096, sha256: HASH, mimeType: 'image/webp' },
    };
    expect(checkManifest(JSON.parse(JSON.stringify(withPoster)))).toEqual({ manifest: withPoster });
    expect(checkManifest(JSON.parse(JSON.stringify(media()))).manifest).not.toHaveProperty('poster');
  });

  it.each<[string, Mutation, RegExp]>([
    ['with times', (m) => (m.chunks[0]!.start = 0), /chunks\[0\]\.start must be null in a legacy manifest/],
    ['with an init', (m) => (m.init = { size: 1, sha256: HASH }), /init must be null in a legacy manifest/],
    [
      'with a media mime type',
      (m) => (m.mimeType = 'video/mp4'),
      /mimeType must be "application\/octet-stream"/,
    ],
  ])('legacy: %s', (_name, mutate, text) => rejects(legacy, mutate, text));

  it('rejects what is not a map', () => {
    for (const value of [null, 'manifest', [], 42])
      expect(problemOf(value)).toMatch(/^the manifest must be a map, got /);
  });
});
