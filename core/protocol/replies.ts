/**
 * Validation of each ok reply's fields, one function per request type, plus the error reply. Replies
 * come from peers and are as untrusted as requests: a reply that does not validate fails its request
 * with a PROTOCOL error instead of handing a consumer something it did not expect.
 */
import {
  readAddress,
  checkArray,
  checkIndex,
  checkNodeName,
  isAbsent,
  join,
  own,
  readIndex,
  readNodeName,
  readNumber,
  readObject,
  readSha256,
  readString,
  readUint,
  readVideoName,
  type Fields,
} from './fields.js';
import {
  MAX_BODY_BYTES,
  MAX_HOLDERS_PER_INDEX,
  MAX_MIME_TYPE_CHARS,
  MAX_QUERY_COUNT,
  ERROR_CODE_FORMAT,
  MAX_TEXT_CHARS,
  MAX_TOPOLOGY_DEPTH,
  MAX_TOPOLOGY_NODES,
  MAX_VIDEOS_LISTED,
  CHUNK_INDEX_LIMIT,
} from './limits.js';
import { readManifest, readPosterRef } from './manifest-fields.js';
import { MAX_POSTER_BYTES, POSTER_MIME_TYPES, isPosterMimeType } from '../shared/poster.js';
import {
  LEGACY_ROLES,
  NODE_ROLES,
  type EmptyFields,
  type NodeRole,
  type ErrorReply,
  type PeerRef,
  type ReplyFields,
  type RequestType,
  type WireTopologyNode,
  type VideoInfo,
} from './messages.js';
import { badField } from './problems.js';
import { tcpAddressProblem } from './address.js';
import { newIndexBudget, readInventory, type IndexBudget } from './inventory.js';
import type { ChunkOrigin } from '../shared/api-types.js';

const MAX_LEVEL = 1000;

export function readPeerRef(value: unknown, path: string): PeerRef {
  const fields = readObject(value, path);
  return { name: readNodeName(fields, 'name', path), address: readAddress(fields, 'address', path) };
}

function readHolders(fields: Fields): PeerRef[][] {
  const lists = checkArray(own(fields, 'holders'), 'holders', MAX_QUERY_COUNT);
  return lists.map((list, i) =>
    checkArray(list, join('holders', i), MAX_HOLDERS_PER_INDEX).map((peer, j) =>
      readPeerRef(peer, join(join('holders', i), j)),
    ),
  );
}

export function readVideoInfo(value: unknown, path: string): VideoInfo {
  const fields = readObject(value, path);
  const kind = own(fields, 'kind');
  if (kind !== 'fmp4' && kind !== 'legacy') throw badField(join(path, 'kind'), '"fmp4" or "legacy"', kind);
  const nullable = (key: string, max: number): number | null =>
    isAbsent(fields, key) ? null : readNumber(fields, key, 0, max, path);
  return {
    name: readVideoName(fields, 'name', path),
    kind,
    duration: nullable('duration', 1e9),
    width: nullable('width', 1_000_000),
    height: nullable('height', 1_000_000),
    chunks: readUint(fields, 'chunks', CHUNK_INDEX_LIMIT, path),
    mimeType: readString(fields, 'mimeType', MAX_MIME_TYPE_CHARS, path),
    ...(isAbsent(fields, 'bytes') ? {} : { bytes: readUint(fields, 'bytes', Number.MAX_SAFE_INTEGER, path) }),
    ...(isAbsent(fields, 'poster')
      ? {}
      : { poster: readPosterRef(own(fields, 'poster'), join(path, 'poster')) }),
  };
}

function readTopology(
  value: unknown,
  path: string,
  depth: number,
  budget: { nodes: number; indexes: IndexBudget },
): WireTopologyNode {
  if (depth > MAX_TOPOLOGY_DEPTH) throw badField(path, `at most ${MAX_TOPOLOGY_DEPTH} levels deep`, value);
  if (--budget.nodes < 0)
    throw badField(path, `part of a tree of at most ${MAX_TOPOLOGY_NODES} nodes`, value);
  const fields = readObject(value, path);
  const role = own(fields, 'role');
  if (!NODE_ROLES.includes(role as NodeRole) && !LEGACY_ROLES.includes(role as string)) {
    throw badField(join(path, 'role'), `one of ${NODE_ROLES.join(', ')}`, role);
  }
  const address = own(fields, 'address');
  if (address !== null && tcpAddressProblem(address) !== null) readAddress(fields, 'address', path);
  const children = checkArray(own(fields, 'children'), join(path, 'children'), MAX_TOPOLOGY_NODES);
  return {
    name: checkNodeName(own(fields, 'name'), join(path, 'name')),
    address: address as string | null,
    // An older node's "relay" or "viewer" is a master when it has children, else a child.
    role: NODE_ROLES.includes(role as NodeRole)
      ? (role as NodeRole)
      : children.length > 0
        ? 'master'
        : 'child',
    level: readUint(fields, 'level', MAX_LEVEL, path),
    ...(isAbsent(fields, 'chunks') ? {} : { chunks: readInventory(fields, 'chunks', budget.indexes) }),
    children: children.map((child, i) =>
      readTopology(child, join(join(path, 'children'), i), depth + 1, budget),
    ),
  };
}

/** `videos`: what a node lists (list-videos-ok, announce-videos). */
export function readVideoList(fields: Fields): VideoInfo[] {
  return checkArray(own(fields, 'videos'), 'videos', MAX_VIDEOS_LISTED).map((video, i) =>
    readVideoInfo(video, join('videos', i)),
  );
}

const empty = (): EmptyFields => ({});

const ORIGINS: readonly ChunkOrigin[] = ['local', 'peer', 'master', 'source'];

function readOrigin(fields: Fields): ChunkOrigin {
  const origin = own(fields, 'origin');
  if (!ORIGINS.includes(origin as ChunkOrigin))
    throw badField('origin', `one of ${ORIGINS.join(', ')}`, origin);
  return origin as ChunkOrigin;
}

export const replyValidators: { [K in RequestType]: (fields: Fields) => ReplyFields[K] } = {
  register: (fields) => ({
    masterName: readNodeName(fields, 'masterName'),
    level: readUint(fields, 'level', MAX_LEVEL),
    ...(isAbsent(fields, 'supermaster')
      ? {}
      : { supermaster: readPeerRef(own(fields, 'supermaster'), 'supermaster') }),
  }),
  report: empty,
  query: (fields) => ({
    video: readVideoName(fields, 'video'),
    from: readIndex(fields, 'from', true),
    holders: readHolders(fields),
  }),
  get: (fields) => ({
    video: readVideoName(fields, 'video'),
    index: checkIndex(own(fields, 'index'), 'index', true),
    size: readUint(fields, 'size', MAX_BODY_BYTES),
    sha256: readSha256(fields, 'sha256'),
    ...(isAbsent(fields, 'origin') ? {} : { origin: readOrigin(fields) }),
  }),
  ping: (fields) => ({
    name: readNodeName(fields, 'name'),
    time: readNumber(fields, 'time', 0, Number.MAX_SAFE_INTEGER),
  }),
  bye: empty,
  'end-stream': empty,
  'list-videos': (fields) => ({ videos: readVideoList(fields) }),
  'get-manifest': (fields) => ({ manifest: readManifest(own(fields, 'manifest'), 'manifest') }),
  stats: (fields) => ({ stats: { ...readObject(own(fields, 'stats'), 'stats') } }),
  topology: (fields) => ({
    tree: readTopology(own(fields, 'tree'), 'tree', 1, {
      nodes: MAX_TOPOLOGY_NODES,
      indexes: newIndexBudget(),
    }),
  }),
  'announce-videos': empty,
  'get-poster': (fields) => {
    const mimeType = own(fields, 'mimeType');
    if (!isPosterMimeType(mimeType))
      throw badField('mimeType', `one of ${POSTER_MIME_TYPES.join(', ')}`, mimeType);
    // The size bound is what keeps a peer from handing us a "poster" of many megabytes.
    return {
      video: readVideoName(fields, 'video'),
      size: readUint(fields, 'size', MAX_POSTER_BYTES),
      sha256: readSha256(fields, 'sha256'),
      mimeType,
    };
  },
};

export function readErrorReply(fields: Fields): ErrorReply {
  const code = own(fields, 'code');
  if (typeof code !== 'string' || !ERROR_CODE_FORMAT.test(code)) {
    throw badField('code', 'an upper-case error code such as CHUNK_NOT_FOUND', code);
  }
  return {
    type: 'error',
    code,
    message: readString(fields, 'message', MAX_TEXT_CHARS),
    ...(isAbsent(fields, 'retryAfterMs')
      ? {}
      : { retryAfterMs: readUint(fields, 'retryAfterMs', 3_600_000) }),
    ...(isAbsent(fields, 'asked')
      ? {}
      : {
          asked: checkArray(own(fields, 'asked'), 'asked', MAX_TOPOLOGY_DEPTH).map((name, i) =>
            checkNodeName(name, join('asked', i)),
          ),
        }),
  };
}
