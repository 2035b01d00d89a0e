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
 * without limit. A million chunks is 11 days of the ingest's 1-second chunks.
 */
export const MAX_MANIFEST_CHUNKS = 1_000_000;
/** A chunk or init segment travels in one frame, so it is no larger than a frame may be. */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;
export const MAX_MIME_TYPE_CHARS = 256;
/**
 * The highest chunk index, the wire's (CHUNK_INDEX_LIMIT - 1 in core/protocol/limits.ts, which this
 * module may not import). An on-demand video's indexes run from 0 and so stay below
 * MAX_MANIFEST_CHUNKS; a live stream's list starts wherever its window has got to: 115 days of
 * 1-second chunks.
 */
export const MAX_CHUNK_INDEX = 9_999_999;
/** The longest DVR window a live stream keeps: a day. */
export const MAX_LIVE_WINDOW_SECONDS = 86_400;
export const LIVE_STATES = ['live', 'ended', 'failed'] as const;
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
/** 128 random bits, chosen once when a live stream starts. */
const LIVE_STREAM_ID = /^[0-9a-f]{32}$/;
// A capture time is the wall clock; outside these years the clock is broken or the value made up.
const MIN_CAPTURE_TIME = Date.UTC(2000, 0, 1);
const MAX_CAPTURE_TIME = Date.UTC(2100, 0, 1);

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
const isoDateTime = v.pipe(
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

const chunkFields = {
  index: wholeNumber(0, MAX_CHUNK_INDEX),
  size: wholeNumber(1, MAX_CHUNK_BYTES),
  sha256,
};
const CHUNK_MAP = 'a map of { index, start, duration, size, sha256 }';

const CAPTURE_TIME = `a capture time in whole Unix milliseconds, from ${MIN_CAPTURE_TIME} (2000-01-01) to ${MAX_CAPTURE_TIME} (2100-01-01)`;
/**
 * What a live stream's chunks carry besides (relationProblem allows them on a live manifest only):
 * when the chunk's first frame was captured, for end-to-end latency; that the input restarted just
 * before it; and the publisher's signature of the chunk alone (core/trust/live-signature.ts), so a
 * growing stream is signed a chunk at a time. Nil is "not given", as for any optional field.
 */
const liveChunkEntries = {
  captureTime: v.nullish(
    v.pipe(
      v.number(CAPTURE_TIME),
      v.safeInteger(CAPTURE_TIME),
      v.minValue(MIN_CAPTURE_TIME, CAPTURE_TIME),
      v.maxValue(MAX_CAPTURE_TIME, CAPTURE_TIME),
    ),
  ),
  discontinuity: v.nullish(v.literal(true, 'true (the input restarted just before this chunk), or absent')),
  signature: v.nullish(signature),
};
const mediaChunkFields = record(
  { ...chunkFields, start: seconds(true), duration: seconds(false), ...liveChunkEntries },
  CHUNK_MAP,
);
type MediaChunkFields = v.InferOutput<typeof mediaChunkFields>;
type LiveChunkKeys = keyof typeof liveChunkEntries;
type MediaChunkOutput = Omit<MediaChunkFields, LiveChunkKeys> & {
  captureTime?: number;
  discontinuity?: true;
  signature?: string;
};
// A nil live field is left out, so that the signed bytes of a chunk are the same whether its
// sender's encoder wrote nil or nothing. Most chunks have none: they are passed on as they are.
const mediaChunk = v.pipe(
  mediaChunkFields,
  v.transform((chunk: MediaChunkFields): MediaChunkOutput => {
    if (chunk.captureTime !== null && chunk.discontinuity !== null && chunk.signature !== null) {
      return chunk as MediaChunkOutput;
    }
    const { captureTime, discontinuity, signature: chunkSignature, ...fields } = chunk;
    return {
      ...fields,
      ...(captureTime == null ? {} : { captureTime }),
      ...(discontinuity == null ? {} : { discontinuity }),
      ...(chunkSignature == null ? {} : { signature: chunkSignature }),
    };
  }),
);
const legacyChunk = record({ ...chunkFields, start: legacyNull, duration: legacyNull }, CHUNK_MAP);
const CHUNK_LIST = `a list of at most ${MAX_MANIFEST_CHUNKS} chunks`;

const common = {
  version: v.literal(MANIFEST_VERSION),
  name: videoName,
  createdAt: isoDateTime,
  publisher: v.optional(publisher),
  signature: v.optional(signature),
};

/**
 * A live stream's own fields. Its header (the manifest but its chunks and duration) is signed apart
 * from its chunks, each of which carries its own signature (core/trust/live-signature.ts), so the
 * manifest grows a chunk at a time without being signed again.
 */
const liveInfo = record(
  {
    /** Chosen once when the stream starts; an input that restarts goes on under the same id. */
    stream: v.pipe(
      v.string('a stream id: 32 lower-case hex digits'),
      v.regex(LIVE_STREAM_ID, 'a stream id: 32 lower-case hex digits'),
    ),
    state: v.picklist(LIVE_STATES, '"live", "ended" or "failed"'),
    startedAt: isoDateTime,
    /** The DVR window: how many seconds of chunks the list keeps behind its newest end; 0 keeps all. */
    window: wholeNumber(0, MAX_LIVE_WINDOW_SECONDS),
  },
  'a map of { stream, state, startedAt, window }',
);

// The fields of an fmp4 manifest, in the order their problems are reported.
const mediaHeaderEntries = {
  ...common,
  kind: v.literal('fmp4'),
  /** e.g. `video/mp4; codecs="avc1.64001f, mp4a.40.2"`, ready for MediaSource.isTypeSupported. */
  mimeType: v.pipe(
    v.string('a MIME type like video/mp4; codecs="avc1.64001f, mp4a.40.2"'),
    v.maxLength(MAX_MIME_TYPE_CHARS, `a MIME type of at most ${MAX_MIME_TYPE_CHARS} characters`),
    v.regex(FMP4_MIME, 'a MIME type like video/mp4; codecs="avc1.64001f, mp4a.40.2"'),
  ),
  width: v.nullable(wholeNumber(1, MAX_DIMENSION)),
  height: v.nullable(wholeNumber(1, MAX_DIMENSION)),
  init: segment,
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
  /** Present on a live stream's manifest only (an on-demand video has none). */
  live: v.nullish(liveInfo),
};
const mediaFields = record(
  {
    ...common,
    kind: mediaHeaderEntries.kind,
    mimeType: mediaHeaderEntries.mimeType,
    duration: seconds(false),
    width: mediaHeaderEntries.width,
    height: mediaHeaderEntries.height,
    init: mediaHeaderEntries.init,
    chunks: boundedArray(mediaChunk, MAX_MANIFEST_CHUNKS, CHUNK_LIST),
    ingest: mediaHeaderEntries.ingest,
    poster: mediaHeaderEntries.poster,
    live: mediaHeaderEntries.live,
  },
  'a map',
);
type LiveInfoOutput = v.InferOutput<typeof liveInfo>;
// Nil (msgpack) is "not given", as for any optional field; the manifest then has no `poster` or `live` key.
type Optionals = { poster?: PosterRef; live?: LiveInfoOutput };
const withoutNils = <F extends { poster?: PosterRef | null; live?: LiveInfoOutput | null }>({
  poster: posterField,
  live: liveField,
  ...fields
}: F): Omit<F, 'poster' | 'live'> & Optionals => ({
  ...fields,
  ...(posterField == null ? {} : { poster: posterField }),
  ...(liveField == null ? {} : { live: liveField }),
});
const mediaManifest = v.pipe(mediaFields, v.transform(withoutNils));
/** A live stream's header: an fmp4 manifest without chunks and duration, and with `live`. */
const liveHeaderSchema = v.pipe(
  record({ ...mediaHeaderEntries, live: liveInfo }, 'a map'),
  v.transform(withoutNils),
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
/** A live stream's `live` map: its id, its state, when it started and its DVR window in seconds. */
export type LiveInfo = LiveInfoOutput;
/**
 * The manifest of a live stream: an fmp4 manifest with `live`, whose chunk list may start above
 * index 0 (chunks older than the window were dropped), each chunk dated and signed on its own.
 */
export type LiveManifest = Omit<MediaManifest, 'live' | 'chunks'> & {
  live: LiveInfo;
  chunks: LiveChunkEntry[];
};
/** A live stream's chunk as its manifest lists it, and as a master announces it. */
export type LiveChunkEntry = MediaManifest['chunks'][number] & { captureTime: number };
/**
 * What a live stream's header signature covers: its manifest but the chunks and the duration (which
 * is where the last chunk ends, and each chunk is signed with its own times).
 */
export type LiveHeader = Omit<LiveManifest, 'chunks' | 'duration'>;

/** What is wrong with a manifest: where (e.g. `chunks[3].sha256`), what was expected, what was found. */
export type ManifestProblem = SchemaIssue;

export type ManifestCheck =
  { manifest: Manifest; problem?: never } | { manifest?: never; problem: ManifestProblem };

/** Checks `value` against the schema, then what relates one field to another. */
export function checkManifest(value: unknown): ManifestCheck {
  const shape = versionProblem(value);
  if (shape !== null) return shape;
  const result = firstIssue(manifestSchema, value);
  if ('issue' in result) return { problem: result.issue };
  return relationProblem(result.output) ?? { manifest: result.output };
}

/**
 * Checks a live stream's header on its own, as it is signed (core/trust/live-signature.ts): an
 * fmp4 manifest's fields but `chunks` and `duration`, with `live` required.
 */
export function checkLiveHeader(
  value: unknown,
): { header: LiveHeader; problem?: never } | { header?: never; problem: ManifestProblem } {
  const shape = versionProblem(value);
  if (shape !== null) return shape;
  const result = firstIssue(liveHeaderSchema, value);
  if ('issue' in result) return { problem: result.issue };
  const header = result.output as LiveHeader;
  return signerProblem(header) ?? dimensionsProblem(header) ?? { header };
}

/**
 * Checks one chunk entry of a live stream on its own, as a master announces it: paths are the
 * chunk's own (`sha256`, not `chunks[3].sha256`). Where it may sit in the list is the caller's to
 * check, and its signature core/trust's (liveChunkProblem).
 */
export function checkLiveChunk(
  value: unknown,
): { chunk: LiveChunkEntry; problem?: never } | { chunk?: never; problem: ManifestProblem } {
  const result = firstIssue(mediaChunk, value);
  if ('issue' in result) return { problem: result.issue };
  const chunk = result.output;
  if (chunk.captureTime === undefined) {
    return problem('captureTime', `${CAPTURE_TIME}: every chunk of a live stream carries one`, undefined);
  }
  return { chunk: chunk as LiveChunkEntry };
}

function versionProblem(value: unknown): { problem: ManifestProblem } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return problem('', 'a map', value);
  const version = (value as { version?: unknown }).version;
  if (version !== MANIFEST_VERSION) {
    return problem(
      'version',
      `${MANIFEST_VERSION}, the only manifest version this PeerStreamer reads (upgrade it to read newer ones)`,
      version,
    );
  }
  return null;
}

function problem(path: string, expected: string, got: unknown): { problem: ManifestProblem } {
  return { problem: { path, expected, got } };
}

/** One without the other means nothing can be checked: a half-signed manifest is a damaged one. */
function signerProblem(manifest: {
  publisher?: string;
  signature?: string;
}): { problem: ManifestProblem } | null {
  if ((manifest.publisher === undefined) === (manifest.signature === undefined)) return null;
  return manifest.publisher === undefined
    ? problem('publisher', 'the signing key when a signature is given', undefined)
    : problem('signature', "the publisher's signature when a publisher is named", undefined);
}

function dimensionsProblem(
  media: Pick<MediaManifest, 'width' | 'height'>,
): { problem: ManifestProblem } | null {
  return (media.width === null) !== (media.height === null)
    ? problem('height', 'null when width is, and a number when width is', media.height)
    : null;
}

/** Consumers index chunks by position and seek by the times, so these must agree. */
function relationProblem(manifest: Manifest): { problem: ManifestProblem } | null {
  const signer = signerProblem(manifest);
  if (signer !== null) return signer;
  // A live stream's list starts where its window has got to; any other at 0.
  const live = manifest.kind === 'fmp4' ? manifest.live : undefined;
  const firstIndex = live === undefined ? 0 : (manifest.chunks[0]?.index ?? 0);
  for (const [position, chunk] of manifest.chunks.entries()) {
    if (chunk.index !== firstIndex + position) {
      const rule =
        live === undefined
          ? 'indexes run from 0 without gaps'
          : `indexes run from chunks[0].index, ${firstIndex}, without gaps`;
      return problem(`chunks[${position}].index`, `${firstIndex + position} (${rule})`, chunk.index);
    }
  }
  if (manifest.kind === 'legacy') return null;
  const dimensions = dimensionsProblem(manifest);
  if (dimensions !== null) return dimensions;
  let end = live === undefined ? 0 : (manifest.chunks[0]?.start ?? 0);
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
  return live === undefined ? onDemandChunkProblem(manifest.chunks) : liveChunksProblem(manifest);
}

const LIVE_CHUNK_FIELDS = ['captureTime', 'discontinuity', 'signature'] as const;

/** A chunk's live fields mean nothing without `live`, and its signature would cover nothing checked. */
function onDemandChunkProblem(chunks: MediaManifest['chunks']): { problem: ManifestProblem } | null {
  for (const [position, chunk] of chunks.entries()) {
    for (const field of LIVE_CHUNK_FIELDS) {
      if (chunk[field] !== undefined) {
        return problem(
          `chunks[${position}].${field}`,
          "absent in a manifest without live (only a live stream's chunks carry one)",
          chunk[field],
        );
      }
    }
  }
  return null;
}

/** Every chunk of a live stream is dated, and signed exactly when its header is. */
function liveChunksProblem(manifest: MediaManifest): { problem: ManifestProblem } | null {
  const signed = manifest.publisher !== undefined;
  for (const [position, chunk] of manifest.chunks.entries()) {
    if (chunk.captureTime === undefined) {
      return problem(
        `chunks[${position}].captureTime`,
        `${CAPTURE_TIME}: every chunk of a live stream carries one`,
        undefined,
      );
    }
    if (signed && chunk.signature === undefined) {
      return problem(
        `chunks[${position}].signature`,
        "the publisher's signature of the chunk, as the manifest names a publisher",
        undefined,
      );
    }
    if (!signed && chunk.signature !== undefined) {
      return problem(
        `chunks[${position}].signature`,
        'absent when the manifest names no publisher (there is no key to check it by)',
        chunk.signature,
      );
    }
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
