/**
 * Checks a parsed JSON manifest before anything trusts it. Manifests arrive from peers and from disk, so
 * every field is checked for type and range, unknown fields are refused (a shape change must bump the
 * version), and the result is a fresh object that shares nothing with the input.
 */
import {
  MANIFEST_VERSION,
  legacyManifest,
  type ChunkEntry,
  type LegacyManifest,
  type Manifest,
  type MediaManifest,
} from '../shared/manifest.js';
import { MAX_POSTER_BYTES, POSTER_MIME_TYPES, isPosterMimeType, type PosterRef } from '../shared/poster.js';
import { videoNameProblem } from '../shared/video-name.js';
import { PeerStreamerError, type ErrorCode } from '../util/errors.js';

export interface ValidateOptions {
  /** Names where the manifest came from in messages, e.g. `manifest of "talk" from tcp://10.0.0.2:7000`. */
  source?: string;
  /** The error code to throw: PROTOCOL for network input, STORE_CORRUPT for disk; INVALID_ARGUMENT by default. */
  code?: ErrorCode;
}

/** Bounds that no honest manifest reaches; they keep forged ones from making us allocate or loop forever. */
export const MAX_CHUNKS = 1_000_000;
export const MAX_CHUNK_BYTES = 1024 ** 3;
const MAX_DIMENSION = 16384;
const MAX_MIME_LENGTH = 256;
const MAX_SOURCE_CODECS = 8;
/** Chunk times are rounded to microseconds; allow a little more when checking that they tile. */
const TIME_TOLERANCE = 0.001;

const SHA256 = /^[0-9a-f]{64}$/;
const FMP4_MIME = /^(video|audio)\/mp4; codecs="[A-Za-z0-9.,\- ]+"$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const INGEST_MODES = new Set(['remux', 'transcode', 'partial-transcode']);
const FMP4_KEYS = [
  'version',
  'kind',
  'name',
  'mimeType',
  'duration',
  'width',
  'height',
  'init',
  'chunks',
  'createdAt',
  'ingest',
];
// A legacy manifest is the fmp4 shape without the ingest record.
const LEGACY_KEYS = FMP4_KEYS.filter((key) => key !== 'ingest');
const CHUNK_KEYS = ['index', 'start', 'duration', 'size', 'sha256'];
/** Fields added within version 1: absent in older manifests, checked when present. */
const FMP4_OPTIONAL_KEYS = ['poster'];
const POSTER_KEYS = ['size', 'sha256', 'mimeType'];

type Fields = Record<string, unknown>;

class Checker {
  constructor(private readonly options: ValidateOptions) {}

  fail(path: string, problem: string, value?: unknown): never {
    const source = this.options.source ?? 'manifest';
    const shown = value === undefined ? '' : `, got ${describe(value)}`;
    throw new PeerStreamerError(
      this.options.code ?? 'INVALID_ARGUMENT',
      `${source} is invalid: ${path} ${problem}${shown}; the manifest is damaged or was not written by PeerStreamer, fetch or ingest the video again.`,
      { source, path },
    );
  }

  object(value: unknown, path: string, keys: readonly string[], optional: readonly string[] = []): Fields {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(path, 'must be an object', value);
    const fields = value as Fields;
    for (const key of Object.keys(fields)) {
      if (!keys.includes(key) && !optional.includes(key)) this.fail(`${path}.${key}`, 'is not a known field');
    }
    for (const key of keys) {
      if (!(key in fields)) this.fail(`${path}.${key}`, 'is missing');
    }
    return fields;
  }

  positiveInteger(value: unknown, path: string, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
      this.fail(path, `must be a whole number from 1 to ${max}`, value);
    }
    return value;
  }

  seconds(value: unknown, path: string, allowZero: boolean): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
      this.fail(
        path,
        allowZero ? 'must be a number of seconds >= 0' : 'must be a number of seconds > 0',
        value,
      );
    }
    return value;
  }

  sha256(value: unknown, path: string): string {
    if (typeof value !== 'string' || !SHA256.test(value))
      this.fail(path, 'must be 64 lower-case hex digits', value);
    return value;
  }

  isNull(value: unknown, path: string): null {
    if (value !== null) this.fail(path, 'must be null in a legacy manifest', value);
    return null;
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function checkChunks(check: Checker, value: unknown, kind: 'fmp4' | 'legacy'): ChunkEntry[] {
  if (!Array.isArray(value)) check.fail('chunks', 'must be an array', value);
  if (value.length > MAX_CHUNKS) check.fail('chunks', `must hold at most ${MAX_CHUNKS} entries`, value);
  if (kind === 'fmp4' && value.length === 0) check.fail('chunks', 'must hold at least one chunk');
  const chunks: ChunkEntry[] = [];
  for (const [position, raw] of value.entries()) {
    const path = `chunks[${position}]`;
    const fields = check.object(raw, path, CHUNK_KEYS);
    if (fields.index !== position)
      check.fail(`${path}.index`, `must be ${position} (indexes run from 0 without gaps)`, fields.index);
    const size = check.positiveInteger(fields.size, `${path}.size`, MAX_CHUNK_BYTES);
    const sha256 = check.sha256(fields.sha256, `${path}.sha256`);
    let start: number | null = null;
    let duration: number | null = null;
    if (kind === 'fmp4') {
      start = check.seconds(fields.start, `${path}.start`, true);
      duration = check.seconds(fields.duration, `${path}.duration`, false);
      const previous = chunks[position - 1];
      if (previous === undefined) {
        if (start > TIME_TOLERANCE) check.fail(`${path}.start`, 'must be 0 for the first chunk', start);
      } else if (Math.abs(previous.start! + previous.duration! - start) > TIME_TOLERANCE) {
        check.fail(
          `${path}.start`,
          `must equal the previous chunk's start + duration (${previous.start! + previous.duration!})`,
          start,
        );
      }
    } else {
      check.isNull(fields.start, `${path}.start`);
      check.isNull(fields.duration, `${path}.duration`);
    }
    chunks.push({ index: position, start, duration, size, sha256 });
  }
  return chunks;
}

function checkCommon(check: Checker, fields: Fields): { name: string; createdAt: string } {
  const problem = videoNameProblem(fields.name);
  if (problem !== null) check.fail('name', `is not a valid video name (${problem})`, fields.name);
  const createdAt = fields.createdAt;
  if (typeof createdAt !== 'string' || !ISO_TIME.test(createdAt) || !Number.isFinite(Date.parse(createdAt))) {
    check.fail('createdAt', 'must be an ISO 8601 date-time', createdAt);
  }
  return { name: fields.name as string, createdAt };
}

function checkMedia(check: Checker, value: unknown): MediaManifest {
  const fields = check.object(value, 'manifest', FMP4_KEYS, FMP4_OPTIONAL_KEYS);
  const { name, createdAt } = checkCommon(check, fields);
  const mimeType = fields.mimeType;
  if (typeof mimeType !== 'string' || mimeType.length > MAX_MIME_LENGTH || !FMP4_MIME.test(mimeType)) {
    check.fail('mimeType', 'must look like video/mp4; codecs="avc1.64001f, mp4a.40.2"', mimeType);
  }
  const duration = check.seconds(fields.duration, 'duration', false);
  const dimension = (key: 'width' | 'height'): number | null =>
    fields[key] === null ? null : check.positiveInteger(fields[key], key, MAX_DIMENSION);
  const width = dimension('width');
  const height = dimension('height');
  if ((width === null) !== (height === null))
    check.fail('width', 'and height must both be numbers or both be null');
  const initFields = check.object(fields.init, 'init', ['size', 'sha256']);
  const init = {
    size: check.positiveInteger(initFields.size, 'init.size', MAX_CHUNK_BYTES),
    sha256: check.sha256(initFields.sha256, 'init.sha256'),
  };
  const ingestFields = check.object(fields.ingest, 'ingest', ['mode', 'sourceCodecs']);
  const mode = ingestFields.mode;
  if (typeof mode !== 'string' || !INGEST_MODES.has(mode)) {
    check.fail('ingest.mode', 'must be "remux", "transcode" or "partial-transcode"', mode);
  }
  const codecs = ingestFields.sourceCodecs;
  if (
    !Array.isArray(codecs) ||
    codecs.length > MAX_SOURCE_CODECS ||
    !codecs.every((codec) => typeof codec === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(codec))
  ) {
    check.fail('ingest.sourceCodecs', `must be a list of at most ${MAX_SOURCE_CODECS} codec names`, codecs);
  }
  const chunks = checkChunks(check, fields.chunks, 'fmp4');
  const last = chunks[chunks.length - 1]!;
  if (Math.abs(last.start! + last.duration! - duration) > TIME_TOLERANCE * 10) {
    check.fail(
      'duration',
      `must equal the last chunk's start + duration (${last.start! + last.duration!})`,
      duration,
    );
  }
  return {
    version: MANIFEST_VERSION,
    kind: 'fmp4',
    name,
    mimeType,
    duration,
    width,
    height,
    init,
    chunks,
    createdAt,
    ingest: { mode: mode as MediaManifest['ingest']['mode'], sourceCodecs: [...(codecs as string[])] },
    ...(fields.poster === undefined ? {} : { poster: checkPoster(check, fields.poster) }),
  };
}

function checkPoster(check: Checker, value: unknown): PosterRef {
  const fields = check.object(value, 'poster', POSTER_KEYS);
  const mimeType = fields.mimeType;
  if (!isPosterMimeType(mimeType))
    check.fail('poster.mimeType', `must be one of ${POSTER_MIME_TYPES.join(', ')}`, mimeType);
  return {
    size: check.positiveInteger(fields.size, 'poster.size', MAX_POSTER_BYTES),
    sha256: check.sha256(fields.sha256, 'poster.sha256'),
    mimeType,
  };
}

function checkLegacy(check: Checker, value: unknown): LegacyManifest {
  const fields = check.object(value, 'manifest', LEGACY_KEYS);
  const { name, createdAt } = checkCommon(check, fields);
  if (fields.mimeType !== 'application/octet-stream') {
    check.fail('mimeType', 'must be "application/octet-stream" in a legacy manifest', fields.mimeType);
  }
  check.isNull(fields.duration, 'duration');
  check.isNull(fields.width, 'width');
  check.isNull(fields.height, 'height');
  check.isNull(fields.init, 'init');
  return legacyManifest(name, checkChunks(check, fields.chunks, 'legacy'), createdAt);
}

/** Returns a checked copy of `value`, or throws naming the first field that is wrong. */
export function validateManifest(value: unknown, options: ValidateOptions = {}): Manifest {
  const check = new Checker(options);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    check.fail('manifest', 'must be a JSON object', value);
  const { version, kind } = value as Fields;
  if (version !== MANIFEST_VERSION) {
    const source = options.source ?? 'manifest';
    throw new PeerStreamerError(
      options.code ?? 'INVALID_ARGUMENT',
      `${source} has version ${describe(version)}, which this PeerStreamer does not know (it reads version ${MANIFEST_VERSION}); upgrade PeerStreamer on this node or re-ingest the video with the same version.`,
      { source, version },
    );
  }
  if (kind === 'fmp4') return checkMedia(check, value);
  if (kind === 'legacy') return checkLegacy(check, value);
  return check.fail('kind', 'must be "fmp4" or "legacy"', kind);
}
