/**
 * Structural check of a manifest received from a peer (`get-manifest-ok`). The manifest is what
 * chunks are verified against, so a malformed one must be refused here rather than trip a consumer.
 */
import { MANIFEST_VERSION, type ChunkEntry, type Manifest, type SegmentRef } from '../shared/manifest.js';
import { MAX_POSTER_BYTES, POSTER_MIME_TYPES, isPosterMimeType, type PosterRef } from '../shared/poster.js';
import {
  checkArray,
  isAbsent,
  join,
  own,
  readNumber,
  readObject,
  readString,
  readUint,
  readVideoName,
  type Fields,
} from './fields.js';
import { CHUNK_INDEX_LIMIT, MAX_BODY_BYTES, MAX_MIME_TYPE_CHARS } from './limits.js';
import { badField } from './problems.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_SECONDS = 1e9;
const MAX_PIXELS = 1_000_000;

export function readSha256(fields: Fields, key: string, path = ''): string {
  const value = own(fields, key);
  if (typeof value !== 'string' || !SHA256_HEX.test(value)) {
    throw badField(join(path, key), 'a sha256 as 64 lower-case hex digits', value);
  }
  return value;
}

function readNullableNumber(fields: Fields, key: string, max: number, path: string): number | null {
  return isAbsent(fields, key) ? null : readNumber(fields, key, 0, max, path);
}

function readSegment(value: unknown, path: string): SegmentRef {
  const fields = readObject(value, path);
  return { size: readUint(fields, 'size', MAX_BODY_BYTES, path), sha256: readSha256(fields, 'sha256', path) };
}

/** A poster reference (manifest `poster`, list-videos `poster`): size bounded, format one we show. */
export function readPosterRef(value: unknown, path: string): PosterRef {
  const fields = readObject(value, path);
  const mimeType = own(fields, 'mimeType');
  if (!isPosterMimeType(mimeType)) {
    throw badField(join(path, 'mimeType'), `one of ${POSTER_MIME_TYPES.join(', ')}`, mimeType);
  }
  const size = readUint(fields, 'size', MAX_POSTER_BYTES, path);
  if (size === 0) throw badField(join(path, 'size'), `an integer from 1 to ${MAX_POSTER_BYTES}`, size);
  return { size, sha256: readSha256(fields, 'sha256', path), mimeType };
}

function readChunks(fields: Fields, path: string): ChunkEntry[] {
  const list = checkArray(own(fields, 'chunks'), join(path, 'chunks'), CHUNK_INDEX_LIMIT);
  const chunks: ChunkEntry[] = [];
  for (let i = 0; i < list.length; i++) {
    const chunkPath = join(join(path, 'chunks'), i);
    const chunk = readObject(list[i], chunkPath);
    const index = own(chunk, 'index');
    // Consumers index chunks by position, so position and index must agree.
    if (index !== i)
      throw badField(join(chunkPath, 'index'), `${i} (chunks are listed in order from 0)`, index);
    chunks.push({
      index: i,
      start: readNullableNumber(chunk, 'start', MAX_SECONDS, chunkPath),
      duration: readNullableNumber(chunk, 'duration', MAX_SECONDS, chunkPath),
      size: readUint(chunk, 'size', MAX_BODY_BYTES, chunkPath),
      sha256: readSha256(chunk, 'sha256', chunkPath),
    });
  }
  return chunks;
}

export function readManifest(value: unknown, path: string): Manifest {
  const fields = readObject(value, path);
  const version = own(fields, 'version');
  if (version !== MANIFEST_VERSION) throw badField(join(path, 'version'), `${MANIFEST_VERSION}`, version);
  const base = {
    version: MANIFEST_VERSION,
    name: readVideoName(fields, 'name', path),
    chunks: readChunks(fields, path),
    createdAt: readString(fields, 'createdAt', 100, path),
  } as const;
  const kind = own(fields, 'kind');
  if (kind === 'legacy') {
    return {
      ...base,
      kind,
      mimeType: 'application/octet-stream',
      duration: null,
      width: null,
      height: null,
      init: null,
    };
  }
  if (kind !== 'fmp4') throw badField(join(path, 'kind'), '"fmp4" or "legacy"', kind);
  const ingest = readObject(own(fields, 'ingest'), join(path, 'ingest'));
  const mode = own(ingest, 'mode');
  if (mode !== 'remux' && mode !== 'transcode' && mode !== 'partial-transcode') {
    throw badField(join(path, 'ingest.mode'), '"remux", "transcode" or "partial-transcode"', mode);
  }
  const codecsPath = join(path, 'ingest.sourceCodecs');
  const sourceCodecs = checkArray(own(ingest, 'sourceCodecs'), codecsPath, 64).map((codec, i) => {
    if (typeof codec !== 'string' || codec.length > 100) {
      throw badField(join(codecsPath, i), 'a codec name', codec);
    }
    return codec;
  });
  return {
    ...base,
    kind,
    mimeType: readString(fields, 'mimeType', MAX_MIME_TYPE_CHARS, path),
    duration: readNumber(fields, 'duration', 0, MAX_SECONDS, path),
    width: isAbsent(fields, 'width') ? null : readUint(fields, 'width', MAX_PIXELS, path),
    height: isAbsent(fields, 'height') ? null : readUint(fields, 'height', MAX_PIXELS, path),
    init: readSegment(own(fields, 'init'), join(path, 'init')),
    ingest: { mode, sourceCodecs },
    ...(isAbsent(fields, 'poster')
      ? {}
      : { poster: readPosterRef(own(fields, 'poster'), join(path, 'poster')) }),
  };
}
