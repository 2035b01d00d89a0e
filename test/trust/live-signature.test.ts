import { createHash, createPublicKey, verify } from 'node:crypto';
import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { checkLiveChunk, checkManifest } from '../../core/shared/manifest-schema.js';
import type { LiveChunkEntry, LiveManifest, MediaManifest } from '../../core/shared/manifest.js';
import { LiveManifestBuilder, type LiveStreamStart } from '../../core/trust/live-manifest-builder.js';
import {
  liveChunkProblem,
  liveSignatureProblem,
  liveStreamDigest,
  signLiveChunk,
  signLiveHeader,
} from '../../core/trust/live-signature.js';
import { manifestDigest, signManifest, signatureProblem } from '../../core/trust/manifest-signature.js';
import { canonicalJson } from '../../core/trust/canonical-json.js';
import { publisherKeyPairFromSeed } from '../../core/trust/publisher-key.js';

const KEY = publisherKeyPairFromSeed(new Uint8Array(32).fill(7));
const OTHER_KEY = publisherKeyPairFromSeed(new Uint8Array(32).fill(8));
const STREAM = '0123456789abcdef0123456789abcdef';
const OTHER_STREAM = 'fedcba9876543210fedcba9876543210';
const CAPTURED = Date.UTC(2026, 11, 3, 2, 0, 0);

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function start(overrides: Partial<LiveStreamStart> = {}): LiveStreamStart {
  return {
    name: 'keynote',
    mimeType: 'video/mp4; codecs="avc1.64001f, mp4a.40.2"',
    width: 1280,
    height: 720,
    init: { size: 1200, sha256: sha('init') },
    ingest: { mode: 'transcode', sourceCodecs: ['h264', 'aac'] },
    stream: STREAM,
    window: 0,
    startedAt: '2026-12-03T02:00:00.000Z',
    ...overrides,
  };
}

/** A stream of `count` one-second chunks, chunk 2 after an input restart. */
function stream(count: number, overrides: Partial<LiveStreamStart> = {}, key = KEY): LiveManifestBuilder {
  const builder = new LiveManifestBuilder(start(overrides), key);
  for (let index = 0; index < count; index += 1) {
    builder.append({
      start: index,
      duration: 1,
      size: 1000 + index,
      sha256: sha(`chunk ${index}`),
      captureTime: CAPTURED + index * 1000,
      discontinuity: index === 2,
    });
  }
  return builder;
}

const signed = stream(6).manifest();

function withChunk(manifest: LiveManifest, position: number, change: Partial<LiveChunkEntry>): LiveManifest {
  return {
    ...manifest,
    chunks: manifest.chunks.map((chunk, at) => (at === position ? { ...chunk, ...change } : chunk)),
  };
}

describe('live manifest signatures', () => {
  it('verify a live manifest, after it crossed the wire and the schema', () => {
    expect(signatureProblem(signed)).toBeNull();
    expect(liveSignatureProblem(signed)).toBeNull();
    const read = checkManifest(unpack(pack(signed)));
    expect(read.problem).toBeUndefined();
    expect(signatureProblem(read.manifest!)).toBeNull();
  });

  it('do not depend on the order a peer wrote the fields in', () => {
    const reversed = Object.fromEntries(
      Object.entries({
        ...signed,
        chunks: signed.chunks.map((chunk) => Object.fromEntries(Object.entries(chunk).reverse())),
      }).reverse(),
    );
    expect(signatureProblem(checkManifest(reversed).manifest!)).toBeNull();
  });

  it.each<[string, Partial<LiveChunkEntry>]>([
    ['size', { size: 1 }],
    ['sha256', { sha256: sha('forged') }],
    ['captureTime', { captureTime: CAPTURED }],
    ['start', { start: 3.5 }],
    ['duration', { duration: 2 }],
    ['index', { index: 4 }],
    // Chunk 2 came after a restart; saying it did not is a change too.
    ['discontinuity', { discontinuity: undefined }],
  ])('fail on a chunk whose %s changed, naming the chunk', (_field, change) => {
    const changed = withChunk(signed, 2, change);
    expect(signatureProblem(changed)).toBe(
      `on chunks[2] (index ${changed.chunks[2]!.index}) does not match the chunk under publisher ${KEY.publicKey.slice(0, 8)} (it was changed after signing, or taken from another stream, video or position)`,
    );
  });

  it('fail on a chunk moved to another position, though its own fields are intact', () => {
    const [a, b, ...rest] = signed.chunks;
    // Chunk 1's entry put at index 0, times and all: only its signature can tell.
    const swapped = {
      ...signed,
      chunks: [{ ...b!, index: 0, start: 0 }, { ...a!, index: 1, start: 1 }, ...rest],
    };
    expect(signatureProblem(swapped)).toMatch(/^on chunks\[0\] \(index 0\) does not match the chunk/);
  });

  it('fail on a chunk taken from another stream, or another video, of the same publisher', () => {
    const otherStream = stream(6, { stream: OTHER_STREAM }).manifest();
    const otherVideo = stream(6, { name: 'other talk' }).manifest();
    for (const other of [otherStream, otherVideo]) {
      // The same bytes, times and capture times: the chunk differs only by whose it is.
      expect(other.chunks[4]!.sha256).toBe(signed.chunks[4]!.sha256);
      const spliced = withChunk(signed, 4, other.chunks[4]!);
      expect(signatureProblem(spliced)).toMatch(/^on chunks\[4\] \(index 4\) does not match the chunk/);
    }
  });

  it('fail on a chunk without its signature, naming it', () => {
    const { signature: _s, ...unsigned } = signed.chunks[5]!;
    const manifest = { ...signed, chunks: [...signed.chunks.slice(0, 5), unsigned] };
    expect(signatureProblem(manifest)).toBe('on chunks[5] (index 5) is missing (the chunk is unsigned)');
  });

  it('fail when the header changed: the state flipped, the window, the init, the name', () => {
    const ended = { ...signed, live: { ...signed.live, state: 'ended' as const } };
    const problem = `does not match the live stream's header under publisher ${KEY.publicKey.slice(0, 8)} (it was changed after signing, or forged)`;
    expect(signatureProblem(ended)).toBe(problem);
    expect(signatureProblem({ ...signed, live: { ...signed.live, window: 30 } })).toBe(problem);
    expect(signatureProblem({ ...signed, init: { ...signed.init, size: 1 } })).toBe(problem);
    expect(signatureProblem({ ...signed, name: 'other' })).toBe(problem);
  });

  it('cannot be moved under another key', () => {
    expect(signatureProblem({ ...signed, publisher: OTHER_KEY.publicKey })).toMatch(
      /^does not match the live stream's header/,
    );
    // Header and chunks of another publisher's stream, given this one's key and header signature.
    const other = stream(6, {}, OTHER_KEY).manifest();
    expect(signatureProblem({ ...other, publisher: KEY.publicKey, signature: signed.signature })).toMatch(
      /^on chunks\[0\] \(index 0\) does not match the chunk under publisher/,
    );
  });

  it('say an unsigned live manifest is unsigned', () => {
    const { publisher: _p, signature: _s, ...rest } = signed;
    expect(
      signatureProblem({ ...rest, chunks: rest.chunks.map(({ signature: _c, ...chunk }) => chunk) }),
    ).toBe('is missing (it is unsigned)');
  });

  it('are never valid as a whole-manifest signature, nor the reverse', () => {
    // The live header's signature, on the same fields as an on-demand manifest.
    const { live: _live, ...fields } = signed;
    const asOnDemand: MediaManifest = {
      ...fields,
      chunks: signed.chunks.map(({ index, start: at, duration, size, sha256 }) => ({
        index,
        start: at,
        duration,
        size,
        sha256,
      })),
    };
    expect(signatureProblem(asOnDemand)).toMatch(/^does not match its contents/);
    // A whole-manifest signature over the same fields, under a live header.
    const whole = signManifest(asOnDemand, KEY);
    expect(signatureProblem(whole)).toBeNull();
    expect(signatureProblem({ ...signed, signature: whole.signature })).toMatch(
      /^does not match the live stream's header/,
    );
  });

  it('signManifest signs a live manifest as one: header and every chunk', () => {
    const resigned = signManifest(signed, OTHER_KEY);
    expect(resigned.publisher).toBe(OTHER_KEY.publicKey);
    expect(signatureProblem(resigned)).toBeNull();
    expect(resigned.chunks.every((chunk, at) => chunk.signature !== signed.chunks[at]!.signature)).toBe(true);
    expect(() => signManifest({ ...signed, duration: 1 }, KEY)).toThrow(/cannot be signed: duration must be/);
  });
});

describe('the signed bytes (docs/PROTOCOL.md, Publishers and signatures)', () => {
  const publicKey = createPublicKey(KEY.privateKey);
  const signs = (text: string, signature: string | undefined) =>
    verify(null, Buffer.from(text, 'utf8'), publicKey, Buffer.from(signature!, 'base64url'));

  it('of the header: its context line, then its canonical JSON without chunks, duration and signature', () => {
    const { chunks: _c, duration: _d, signature, ...header } = signed;
    expect(signs(`peerstreamer live header signature v1\n${canonicalJson(header)}`, signature)).toBe(true);
    expect(header.publisher).toBe(KEY.publicKey);
  });

  it('of a chunk: its context line, then publisher, name, stream and the chunk’s own fields', () => {
    const { signature, ...chunk } = signed.chunks[2]!;
    expect(chunk.discontinuity).toBe(true);
    const fields = { publisher: KEY.publicKey, name: 'keynote', stream: STREAM, ...chunk };
    expect(Object.keys(fields).sort()).toEqual([
      'captureTime',
      'discontinuity',
      'duration',
      'index',
      'name',
      'publisher',
      'sha256',
      'size',
      'start',
      'stream',
    ]);
    expect(signs(`peerstreamer live chunk signature v1\n${canonicalJson(fields)}`, signature)).toBe(true);
  });
});

describe('liveChunkProblem: one announced chunk against a known header', () => {
  const builder = stream(3);
  const header = builder.header;

  it('accepts the next chunk as the source signed it, after the wire and the schema', () => {
    const next = builder.append({
      start: 3,
      duration: 1,
      size: 10,
      sha256: sha('next'),
      captureTime: CAPTURED + 3000,
    });
    const read = checkLiveChunk(unpack(pack(next)));
    expect(read.problem).toBeUndefined();
    expect(liveChunkProblem(header, read.chunk!)).toBeNull();
  });

  it('refuses a changed chunk, naming it', () => {
    const chunk = signed.chunks[1]!;
    const fingerprint = KEY.publicKey.slice(0, 8);
    expect(liveChunkProblem(header, { ...chunk, size: chunk.size + 1 })).toBe(
      `does not match chunk 1 of this stream under publisher ${fingerprint} (it was changed after signing, or taken from another stream, video or position)`,
    );
    expect(liveChunkProblem(header, { ...chunk, index: 7 })).toMatch(
      /^does not match chunk 7 of this stream/,
    );
    expect(liveChunkProblem(header, { ...chunk, captureTime: chunk.captureTime + 1 })).toMatch(
      /does not match/,
    );
  });

  it('refuses a chunk of another stream or another video', () => {
    const fromOtherStream = stream(2, { stream: OTHER_STREAM }).manifest().chunks[1]!;
    const fromOtherVideo = stream(2, { name: 'other talk' }).manifest().chunks[1]!;
    expect(liveChunkProblem(header, fromOtherStream)).toMatch(/^does not match chunk 1 of this stream/);
    expect(liveChunkProblem(header, fromOtherVideo)).toMatch(/^does not match chunk 1 of this stream/);
    expect(liveChunkProblem(header, signed.chunks[1]!)).toBeNull();
  });

  it('refuses an unsigned chunk, and cannot check against an unsigned header', () => {
    const { signature: _s, ...unsigned } = signed.chunks[1]!;
    expect(liveChunkProblem(header, unsigned)).toBe('is missing (chunk 1 of this stream is unsigned)');
    const { publisher: _p, signature: _h, ...bare } = header;
    expect(liveChunkProblem(bare, signed.chunks[1]!)).toBe(
      "cannot be checked: the stream's header names no publisher (it is unsigned)",
    );
  });

  it('refuses a chunk with a changed key in the header', () => {
    expect(liveChunkProblem({ ...header, publisher: OTHER_KEY.publicKey }, signed.chunks[1]!)).toMatch(
      /^does not match chunk 1/,
    );
  });
});

describe('signLiveHeader and signLiveChunk', () => {
  it('refuse what the schema refuses, naming the field', () => {
    expect(() => signLiveHeader({ ...stream(0).header, live: { ...signed.live, window: -1 } }, KEY)).toThrow(
      /live header of "keynote" cannot be signed: live\.window must be a whole number from 0 to 86400, got -1/,
    );
    const { signature: _s, ...chunk } = signed.chunks[0]!;
    expect(() => signLiveChunk(signed, { ...chunk, captureTime: 5 }, KEY)).toThrow(
      /Chunk 0 of the live stream "keynote" cannot be signed: captureTime must be a capture time/,
    );
  });
});

describe('the digest of a live stream', () => {
  it('stays the same while the stream grows and ends', () => {
    const builder = stream(1);
    const digest = manifestDigest(builder.manifest());
    for (let index = 1; index < 5; index += 1) {
      builder.append({ start: index, duration: 1, size: 9, sha256: sha(`${index}`), captureTime: CAPTURED });
      expect(manifestDigest(builder.manifest())).toBe(digest);
    }
    builder.end('failed');
    expect(manifestDigest(builder.manifest())).toBe(digest);
    expect(liveStreamDigest(builder.header)).toBe(digest);
  });

  it('differs between streams, videos and publishers, and from the recording', () => {
    const digest = manifestDigest(signed);
    expect(manifestDigest(stream(6, { stream: OTHER_STREAM }).manifest())).not.toBe(digest);
    expect(manifestDigest(stream(6, { name: 'other talk' }).manifest())).not.toBe(digest);
    expect(manifestDigest(stream(6, {}, OTHER_KEY).manifest())).not.toBe(digest);
    expect(manifestDigest(stream(6).toOnDemand())).not.toBe(digest);
  });

  it('is sha256 of its own context line and the canonical JSON of publisher, name and stream', () => {
    const expected = createHash('sha256')
      .update(
        `peerstreamer live stream digest v1\n{"name":"keynote","publisher":"${KEY.publicKey}","stream":"${STREAM}"}`,
      )
      .digest('hex');
    expect(manifestDigest(signed)).toBe(expected);
  });
});
