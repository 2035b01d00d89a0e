/**
 * The one schema of a manifest. Every manifest is checked by it before anything trusts it: one from
 * a peer (`get-manifest-ok`, the control channel), one read from the store, and one the store is
 * asked to keep (ingest, legacy import, a fetched manifest). The `Manifest` types are inferred from
 * it. It lives apart from manifest.ts so that the renderer, which imports manifest.ts for its
 * functions, does not bundle valibot.
 *
 * Fields the schema does not know are dropped, not refused: a newer node may add optional fields
 * within manifest version 1 (as `poster` was added). The result is a fresh object that shares
 * nothing with the input.
 */
import * as v from 'valibot';
import { MANIFEST_VERSION } from './manifest.js';
import { MAX_POSTER_BYTES, POSTER_MIME_TYPES, type PosterRef } from './poster.js';
import { MANIFEST_SIGNATURE, PUBLISHER_KEY } from './publisher.js';
import { firstIssue, record, type SchemaIssue } from './schema.js';
import { videoNameProblem } from './video-name.js';

/**
 * Bounds no honest manifest reaches; they keep a forged or damaged one from making a node allocate
 * without limit. A million chunks is 23 days of 2-second chunks.
 */
export const MAX_MANIFEST_CHUNKS = 1_000_000;
/** A chunk or init segment travels in one frame, so it is no larger than a frame may be. */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;
export const MAX_MIME_TYPE_CHARS = 256;
/** The largest width or height an MP4 track header can state (16.16 fixed point). */
const MAX_DIMENSION = 65_535;
const MAX_SECONDS = 1e9;
const MAX_SOURCE_CODECS = 64;
/** Chunk times are rounded to microseconds; allow a little more when checking that they tile. */
const TIME_TOLERANCE = 0.001;

const SHA256 = /^[0-9a-f]{64}$/;
// Ingest always names the codecs (MediaSource needs them); a bare type is still a well-formed one.
const FMP4_MIME = /^(video|audio)\/mp4(; codecs="[A-Za-z0-9.,\- ]+")?$/;
const CODEC_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

// Each check carries what was expected, in words that follow "must be".
const wholeNumber = (min: number, max: number) => {
  const expected = `a whole number from ${min} to ${max}`;
  return v.pipe(
    v.number(expected),
    v.safeInteger(expected),
    v.minValue(min, expected),
    v.maxValue(max, expected),
  );
};
const seconds = (allowZero: boolean) => {
  const expected = allowZero ? 'a number of seconds >= 0' : 'a number of seconds > 0';
  return v.pipe(
    v.number(expected),
    v.finite(expected),
    allowZero ? v.minValue(0, expected) : v.gtValue(0, expected),
    v.maxValue(MAX_SECONDS, expected),
  );
};
const sha256 = v.pipe(v.string('64 lower-case hex digits'), v.regex(SHA256, '64 lower-case hex digits'));
const legacyNull = v.null('null in a legacy manifest');

const videoName = v.custom<string>(
  (input) => videoNameProblem(input) === null,
  (issue) => `a valid video name (${videoNameProblem(issue.input)})`,
);
const createdAt = v.pipe(
  v.string('an ISO 8601 date-time'),
  v.maxLength(64, 'an ISO 8601 date-time'),
  v.regex(ISO_TIME, 'an ISO 8601 date-time'),
  v.check((text) => Number.isFinite(Date.parse(text)), 'an ISO 8601 date-time'),
);

/** An array whose length is checked before its items are walked. */
const boundedArray = <T extends v.GenericSchema>(item: T, max: number, expected: string) =>
  v.pipe(
    v.custom<unknown[]>((input) => Array.isArray(input) && input.length <= max, expected),
    v.array(item, expected),
  );

const segment = record({ size: wholeNumber(1, MAX_CHUNK_BYTES), sha256 }, 'a map of { size, sha256 }');

/** A poster reference as a manifest names it; `list-videos` entries carry the same. */
export const posterRef = record(
  {
    size: wholeNumber(1, MAX_POSTER_BYTES),
    sha256,
    mimeType: v.picklist(POSTER_MIME_TYPES, `one of ${POSTER_MIME_TYPES.join(', ')}`),
  },
  'a map of { size, sha256, mimeType }',
) satisfies v.GenericSchema<unknown, PosterRef>;

const chunkFields = {
  index: wholeNumber(0, MAX_MANIFEST_CHUNKS - 1),
  size: wholeNumber(1, MAX_CHUNK_BYTES),
  sha256,
};
const CHUNK_MAP = 'a map of { index, start, duration, size, sha256 }';
const mediaChunk = record({ ...chunkFields, start: seconds(true), duration: seconds(false) }, CHUNK_MAP);
const legacyChunk = record({ ...chunkFields, start: legacyNull, duration: legacyNull }, CHUNK_MAP);
const CHUNK_LIST = `a list of at most ${MAX_MANIFEST_CHUNKS} chunks`;

/**
 * Who published the video and their Ed25519 signature over the rest (core/trust/manifest-signature.ts).
 * Optional to the schema, so a store from before signing still reads; a node trusts, stores from a
 * peer, serves and plays only a manifest whose signature its PublisherTrust accepts.
 */
const publisher = v.pipe(
  v.string('a publisher key: 52 characters of a-z and 2-7'),
  v.regex(PUBLISHER_KEY, 'a publisher key: 52 characters of a-z and 2-7'),
);
const signature = v.pipe(
  v.string('an Ed25519 signature: 86 characters of base64url'),
  v.regex(MANIFEST_SIGNATURE, 'an Ed25519 signature: 86 characters of base64url'),
);

const common = {
  version: v.literal(MANIFEST_VERSION),
  name: videoName,
  createdAt,
  publisher: v.optional(publisher),
  signature: v.optional(signature),
};

const mediaFields = record(
  {
    ...common,
    kind: v.literal('fmp4'),
    /** e.g. `video/mp4; codecs="avc1.64001f, mp4a.40.2"`, ready for MediaSource.isTypeSupported. */
    mimeType: v.pipe(
      v.string('a MIME type like video/mp4; codecs="avc1.64001f, mp4a.40.2"'),
      v.maxLength(MAX_MIME_TYPE_CHARS, `a MIME type of at most ${MAX_MIME_TYPE_CHARS} characters`),
      v.regex(FMP4_MIME, 'a MIME type like video/mp4; codecs="avc1.64001f, mp4a.40.2"'),
    ),
    duration: seconds(false),
    width: v.nullable(wholeNumber(1, MAX_DIMENSION)),
    height: v.nullable(wholeNumber(1, MAX_DIMENSION)),
    init: segment,
    chunks: boundedArray(mediaChunk, MAX_MANIFEST_CHUNKS, CHUNK_LIST),
    /** How the source file became chunks: stream copy, or a transcode to H.264/AAC. */
    ingest: record(
      {
        mode: v.picklist(
          ['remux', 'transcode', 'partial-transcode'],
          '"remux", "transcode" or "partial-transcode"',
        ),
        sourceCodecs: boundedArray(
          v.pipe(v.string('a codec name'), v.regex(CODEC_NAME, 'a codec name')),
          MAX_SOURCE_CODECS,
          `a list of at most ${MAX_SOURCE_CODECS} codec names`,
        ),
      },
      'a map of { mode, sourceCodecs }',
    ),
    /**
     * A still frame for library cards. Optional within manifest version 1: manifests from before
     * posters, and videos without a picture (audio only) or whose frame could not be made, have none.
     */
    poster: v.nullish(posterRef),
  },
  'a map',
);
// Nil (msgpack) is "not given", as for any optional field; the manifest then has no `poster` key.
type MediaFields = v.InferOutput<typeof mediaFields>;
const mediaManifest = v.pipe(
  mediaFields,
  v.transform(({ poster, ...fields }: MediaFields): Omit<MediaFields, 'poster'> & { poster?: PosterRef } =>
    poster == null ? fields : { ...fields, poster },
  ),
);

const legacyManifestSchema = record(
  {
    ...common,
    kind: v.literal('legacy'),
    mimeType: v.literal('application/octet-stream', '"application/octet-stream" in a legacy manifest'),
    duration: legacyNull,
    width: legacyNull,
    height: legacyNull,
    init: legacyNull,
    chunks: boundedArray(legacyChunk, MAX_MANIFEST_CHUNKS, CHUNK_LIST),
  },
  'a map',
);

const manifestSchema = v.variant('kind', [mediaManifest, legacyManifestSchema], '"fmp4" or "legacy"');

/** A video cut into fragmented-MP4 chunks: one init segment, every chunk starts on a keyframe. */
export type MediaManifest = v.InferOutput<typeof mediaManifest>;
/** A video from the original system: fixed-size byte chunks, playable only in order from chunk 0. */
export type LegacyManifest = v.InferOutput<typeof legacyManifestSchema>;
export type Manifest = MediaManifest | LegacyManifest;
/** Start and duration are seconds of media (null for legacy byte-split chunks); sha256 lower-case hex. */
export type ChunkEntry = MediaManifest['chunks'][number] | LegacyManifest['chunks'][number];
export type SegmentRef = v.InferOutput<typeof segment>;

/** What is wrong with a manifest: where (e.g. `chunks[3].sha256`), what was expected, what was found. */
export type ManifestProblem = SchemaIssue;

export type ManifestCheck =
  { manifest: Manifest; problem?: never } | { manifest?: never; problem: ManifestProblem };

/** Checks `value` against the schema, then what relates one field to another. */
export function checkManifest(value: unknown): ManifestCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return problem('', 'a map', value);
  const version = (value as { version?: unknown }).version;
  if (version !== MANIFEST_VERSION) {
    return problem(
      'version',
      `${MANIFEST_VERSION}, the only manifest version this PeerStreamer reads (upgrade it to read newer ones)`,
      version,
    );
  }
  const result = firstIssue(manifestSchema, value);
  if ('issue' in result) return { problem: result.issue };
  return relationProblem(result.output) ?? { manifest: result.output };
}

function problem(path: string, expected: string, got: unknown): { problem: ManifestProblem } {
  return { problem: { path, expected, got } };
}

/** Consumers index chunks by position and seek by the times, so these must agree. */
function relationProblem(manifest: Manifest): { problem: ManifestProblem } | null {
  // One without the other means nothing can be checked: a half-signed manifest is a damaged one.
  if ((manifest.publisher === undefined) !== (manifest.signature === undefined)) {
    return manifest.publisher === undefined
      ? problem('publisher', 'the signing key when a signature is given', undefined)
      : problem('signature', "the publisher's signature when a publisher is named", undefined);
  }
  for (const [position, chunk] of manifest.chunks.entries()) {
    if (chunk.index !== position) {
      return problem(
        `chunks[${position}].index`,
        `${position} (indexes run from 0 without gaps)`,
        chunk.index,
      );
    }
  }
  if (manifest.kind === 'legacy') return null;
  if ((manifest.width === null) !== (manifest.height === null)) {
    return problem('height', 'null when width is, and a number when width is', manifest.height);
  }
  let end = 0;
  for (const [position, chunk] of manifest.chunks.entries()) {
    if (Math.abs(chunk.start - end) > TIME_TOLERANCE) {
      const expected =
        position === 0 ? '0 for the first chunk' : `the previous chunk's start + duration (${end})`;
      return problem(`chunks[${position}].start`, expected, chunk.start);
    }
    end = chunk.start + chunk.duration;
  }
  if (manifest.chunks.length === 0) return problem('chunks', 'a list of at least one chunk', manifest.chunks);
  if (Math.abs(end - manifest.duration) > TIME_TOLERANCE * 10) {
    return problem('duration', `the last chunk's start + duration (${end})`, manifest.duration);
  }
  return null;
}

/** The problem in a sentence's worth of words: `chunks[3].sha256 must be 64 lower-case hex digits, got "abc"`. */
export function describeManifestProblem({ path, expected, got }: ManifestProblem): string {
  return `${path === '' ? 'the manifest' : path} must be ${expected}, got ${describe(got)}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'a map';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
