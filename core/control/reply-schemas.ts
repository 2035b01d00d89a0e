/**
 * What the node sends on the control channel, as valibot schemas: each event's fields, each
 * command's result, and the error line. The event and result types are inferred from them; where
 * a field carries a type of the store's or the library's (`VideoSummary`, `StoreCheck`), the
 * schema is checked against that type instead, so the two cannot drift apart. The node runs its own
 * lines through these before sending, and the client every line it reads.
 */
import * as v from 'valibot';
import type { StoreCheck } from '../library/check-store.js';
import {
  boolean,
  boundedArray,
  chunkIndex,
  finiteNumber,
  map,
  text,
  uint,
  videoName,
} from '../protocol/field-schemas.js';
import { CHUNK_INDEX_LIMIT, ERROR_CODE_FORMAT, MAX_TEXT_CHARS } from '../protocol/limits.js';
import { manifestField } from '../protocol/manifest-fields.js';
import { record } from '../shared/schema.js';
import type { ChunkKey, VerifyProblem, VideoSummary } from '../store/types.js';
import { MAX_LIVE_WINDOW_SECONDS } from '../shared/manifest-schema.js';
import { MAX_DATA_BYTES } from './limits.js';

// 2^53 - 1 bytes or chunks is "unlimited" in practice; the bound is only against garbage.
const MAX_COUNT = Number.MAX_SAFE_INTEGER;
const MAX_SECONDS = 1e9;

// ---- events --------------------------------------------------------------------------------------

/** How far an add has come: the same figures a direct `add` draws its progress bar from. */
const progress = record(
  {
    mediaSeconds: finiteNumber(0, MAX_SECONDS),
    /** Null (or absent) while the input's duration is not known. */
    totalSeconds: v.nullish(finiteNumber(0, MAX_SECONDS), null),
    bytesOut: uint(MAX_COUNT),
  },
  'a map',
);

const NOTICE_LEVELS = ['note', 'warning'] as const;

/**
 * add: a remark for the person adding the video that did not fail it — a `note` about the result
 * (keyframes farther apart than the chunk duration asked for) or a `warning` (no poster could be made).
 */
const notice = record(
  {
    level: v.picklist(NOTICE_LEVELS, `one of ${NOTICE_LEVELS.join(', ')}`),
    text: text(MAX_TEXT_CHARS),
  },
  'a map',
);

const videoSummary = map({
  name: videoName,
  manifest: manifestField,
  pinned: boolean,
  chunksHeld: uint(CHUNK_INDEX_LIMIT),
  bytesHeld: uint(MAX_COUNT),
  hasInit: boolean,
  addedAt: text(100),
}) satisfies v.GenericSchema<unknown, VideoSummary>;

/** export: exactly `size` raw bytes of the video follow this line (not JSON, no newline after). */
const data = record(
  {
    // A number that is out of range as such is worded as one; a 0, as bytes.
    size: v.pipe(uint(MAX_DATA_BYTES), v.minValue(1, `1 to ${MAX_DATA_BYTES} bytes`)),
  },
  'a map',
);

export const eventSchemas = {
  /** add: ingest progress. */
  progress,
  notice,
  /** ls: one video, so no line has to carry the whole library. */
  video: record({ video: videoSummary }, 'a map'),
  data,
};

// ---- results -------------------------------------------------------------------------------------

const chunkKey = { video: videoName, index: chunkIndex(true) };

const PROBLEMS = ['missing', 'wrong-size', 'wrong-hash'] as const;
const verifyProblem = v.pipe(
  map({
    // Checked before the chunk it names, as it always was: an entry wrong in both is told about this.
    problem: v.picklist(PROBLEMS, `one of ${PROBLEMS.join(', ')}`),
    ...chunkKey,
  }),
  // ...yet laid out as the store reports it, so `verify --json` prints the same through a node.
  v.transform(({ problem, video, index }) => ({ video, index, problem })),
) satisfies v.GenericSchema<unknown, VerifyProblem>;

const storeCheck = map({
  checkedChunks: uint(MAX_COUNT),
  checkedBytes: uint(MAX_COUNT),
  problems: boundedArray(verifyProblem, CHUNK_INDEX_LIMIT),
  repaired: uint(MAX_COUNT),
  notHeld: boundedArray(map(chunkKey) satisfies v.GenericSchema<unknown, ChunkKey>, CHUNK_INDEX_LIMIT),
  droppedAtOpen: uint(MAX_COUNT),
}) satisfies v.GenericSchema<unknown, StoreCheck>;

const LIVE_STATES = ['starting', 'live', 'ended', 'failed', 'stopped'] as const;

/** One live stream as `live ls` shows it (LiveSessionInfo). */
const liveSession = map({
  name: videoName,
  state: v.picklist(LIVE_STATES, `one of ${LIVE_STATES.join(', ')}`),
  input: text(MAX_TEXT_CHARS),
  stream: v.nullable(v.pipe(v.string('32 hex digits'), v.regex(/^[0-9a-f]{32}$/, '32 hex digits'))),
  chunks: uint(CHUNK_INDEX_LIMIT),
  inWindow: uint(CHUNK_INDEX_LIMIT),
  seconds: finiteNumber(0, MAX_SECONDS),
  window: uint(MAX_LIVE_WINDOW_SECONDS),
  delayMs: v.nullable(uint(MAX_COUNT)),
  reason: v.nullable(text(MAX_TEXT_CHARS)),
  startedAt: text(100),
});

/** The recording `live stop --keep` stored: its name, chunks and seconds (its manifest is in the store). */
const keptVideo = map({
  name: videoName,
  chunks: uint(CHUNK_INDEX_LIMIT),
  duration: finiteNumber(0, MAX_SECONDS),
});

export const resultSchemas = {
  'live-start': record({ session: liveSession }, 'a map'),
  'live-stop': record({ session: liveSession, kept: v.nullish(keptVideo, null) }, 'a map'),
  /** At most 1,000: a node forgets the oldest sessions that are over past that (MAX_SESSIONS_LISTED). */
  'live-list': record({ sessions: boundedArray(liveSession, 1000) }, 'a map'),
  add: record({ manifest: manifestField }, 'a map'),
  ls: record({ count: uint(MAX_COUNT) }, 'a map'),
  verify: record({ report: storeCheck }, 'a map'),
  /** `bytes` must equal the raw bytes sent in `data` events. */
  export: record({ bytes: uint(MAX_COUNT), chunks: uint(CHUNK_INDEX_LIMIT) }, 'a map'),
};

// ---- the error line ------------------------------------------------------------------------------

export const errorLine = record(
  {
    code: v.pipe(v.string('an upper-case code'), v.regex(ERROR_CODE_FORMAT, 'an upper-case code')),
    message: text(MAX_TEXT_CHARS),
  },
  'a map',
);

type OutputsOf<T extends Record<string, v.GenericSchema>> = { [K in keyof T]: v.InferOutput<T[K]> };
export type ControlEventFields = OutputsOf<typeof eventSchemas>;
export type ControlResultFields = OutputsOf<typeof resultSchemas>;
export type IngestProgressEvent = ControlEventFields['progress'];
export type NoticeEvent = ControlEventFields['notice'];
/** A live stream as a node reports it (core/node/live-session.ts fills it in). */
export type LiveSessionInfo = v.InferOutput<typeof liveSession>;
export type LiveSessionState = LiveSessionInfo['state'];
export type KeptVideo = v.InferOutput<typeof keptVideo>;
