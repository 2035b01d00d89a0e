/**
 * Every ok reply's fields, and the error reply, as valibot schemas checked against the reply types of
 * messages.ts. Replies come from peers and are as untrusted as requests: a reply that does not
 * validate fails its request with a PROTOCOL error instead of handing a consumer something it did
 * not expect. The topology tree keeps a hand-written reader: one budget of nodes and indexes runs
 * across the whole tree.
 */
import * as v from 'valibot';
import type { ChunkOrigin } from '../shared/api-types.js';
import { posterRef } from '../shared/manifest-schema.js';
import { POSTER_MIME_TYPES, MAX_POSTER_BYTES } from '../shared/poster.js';
import { PUBLISHER_KEY } from '../shared/publisher.js';
import { record } from '../shared/schema.js';
import { tcpAddressProblem } from './address.js';
import {
  address,
  boolean,
  boundedArray,
  chunkIndex,
  finiteNumber,
  manifestDigest,
  nodeName,
  nodeKey,
  optional,
  parseFields,
  sha256,
  text,
  uint,
  videoName,
  liveStreamsByVideo,
} from './field-schemas.js';
import {
  checkArray,
  checkNodeName,
  isAbsent,
  isPlainObject,
  join,
  own,
  readAddress,
  readObject,
  readUint,
  type Fields,
} from './fields.js';
import { newIndexBudget, readInventory, type IndexBudget } from './inventory.js';
import {
  CHUNK_INDEX_LIMIT,
  ERROR_CODE_FORMAT,
  MAX_CHILDREN_LIMIT,
  MAX_BODY_BYTES,
  MAX_HOLDERS_PER_INDEX,
  MAX_LIVE_VIEWER_STREAMS,
  MAX_MIME_TYPE_CHARS,
  MAX_QUERY_COUNT,
  MAX_TEXT_CHARS,
  MAX_TOPOLOGY_DEPTH,
  MAX_TRY_INSTEAD,
  MAX_TOPOLOGY_NODES,
  MAX_TOPOLOGY_OMITTED,
  MAX_VIDEOS_ANNOUNCED,
  MAX_VIDEOS_LISTED,
} from './limits.js';
import { readManifest } from './manifest-fields.js';
import {
  LEGACY_ROLES,
  NODE_ROLES,
  type ErrorReply,
  type ReplyFields,
  type RequestType,
  type VideoInfo,
  type WireTopologyNode,
} from './messages.js';
import { badField } from './problems.js';
import type { NodeRole } from '../shared/api-types.js';

const MAX_LEVEL = 1000;

const publisherKey = v.pipe(
  v.string('a publisher key: 52 characters of a-z and 2-7'),
  v.regex(PUBLISHER_KEY, 'a publisher key: 52 characters of a-z and 2-7'),
);

const peerRef = record({ name: nodeName, address, key: optional(nodeKey) }, 'a map');
/** Addresses from the root (or the furthest ancestor kept) down to the replying master. */
const treePath = boundedArray(address, MAX_TOPOLOGY_DEPTH);

/** Absent and nil both read as null: a legacy video has no duration or size. */
const nullableNumber = (max: number) => v.nullish(finiteNumber(0, max), null);

const videoInfo = record(
  {
    name: videoName,
    kind: v.picklist(['fmp4', 'legacy'], '"fmp4" or "legacy"'),
    duration: nullableNumber(1e9),
    width: nullableNumber(1_000_000),
    height: nullableNumber(1_000_000),
    chunks: uint(CHUNK_INDEX_LIMIT),
    mimeType: text(MAX_MIME_TYPE_CHARS),
    bytes: optional(uint(Number.MAX_SAFE_INTEGER)),
    poster: optional(posterRef),
    publisher: optional(publisherKey),
    live: optional(v.picklist(['live', 'ended', 'failed'], '"live", "ended" or "failed"')),
  },
  'a map',
) satisfies v.GenericSchema<unknown, VideoInfo>;

/** `videos`: what a node lists (list-videos-ok, announce-videos). */
export const videoList = boundedArray(videoInfo, MAX_VIDEOS_LISTED);
/** The list an `announce-videos` request may carry (it must fit one request). */
export const announcedVideoList = boundedArray(videoInfo, MAX_VIDEOS_ANNOUNCED);

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
    ...(isAbsent(fields, 'chunks') ? {} : { chunks: readInventory(fields, 'chunks', budget.indexes, path) }),
    children: children.map((child, i) =>
      readTopology(child, join(join(path, 'children'), i), depth + 1, budget),
    ),
    // A count, not a list: it costs nothing of the budgets, however large the tree beyond them.
    ...(isAbsent(fields, 'omitted')
      ? {}
      : { omitted: readUint(fields, 'omitted', MAX_TOPOLOGY_OMITTED, path) }),
  };
}

const ORIGINS: readonly ChunkOrigin[] = ['local', 'peer', 'master', 'source'];

const empty = record({}, 'a map');

/** How long the master has been up, ms (see RegisterOk.uptimeMs): at most about 285,000 years. */
const uptimeMs = optional(uint(Number.MAX_SAFE_INTEGER));
/** The master's --max-children (see RegisterOk.maxChildren). */
const maxChildren = optional(uint(MAX_CHILDREN_LIMIT));
/** A node's uptime and --max-children (see RegisterOk.youngestChild). */
const standing = optional(
  record(
    { uptimeMs: uint(Number.MAX_SAFE_INTEGER), maxChildren: optional(uint(MAX_CHILDREN_LIMIT)) },
    'a map',
  ),
);

// Each schema's output must be what the reply type in messages.ts says.
/**
 * The live streams a master holds and where each stands, on its heartbeat and report replies: a child
 * whose copy is behind asks for the manifest. Announcements (`announce-live`) reach a child only when
 * its master can dial it; one behind a NAT, or one that lost an announcement, learns it here, within
 * a heartbeat. At most MAX_LIVE_VIEWER_STREAMS streams; absent from older masters.
 */
const liveStreams = optional(liveStreamsByVideo(MAX_LIVE_VIEWER_STREAMS));

const replySchemas = {
  register: record(
    {
      masterName: nodeName,
      level: uint(MAX_LEVEL),
      supermaster: optional(peerRef),
      path: optional(treePath),
      publisher: optional(publisherKey),
      uptimeMs,
      maxChildren,
      youngestChild: standing,
      youngestAbove: standing,
    },
    'a map',
  ),
  report: record({ path: optional(treePath), liveStreams }, 'a map'),
  query: record(
    {
      video: videoName,
      digest: optional(manifestDigest),
      from: chunkIndex(true),
      holders: boundedArray(boundedArray(peerRef, MAX_HOLDERS_PER_INDEX), MAX_QUERY_COUNT),
    },
    'a map',
  ),
  get: record(
    {
      video: videoName,
      index: chunkIndex(true),
      size: uint(MAX_BODY_BYTES),
      sha256,
      origin: optional(v.picklist(ORIGINS, `one of ${ORIGINS.join(', ')}`)),
    },
    'a map',
  ),
  ping: record(
    {
      name: nodeName,
      time: finiteNumber(0, Number.MAX_SAFE_INTEGER),
      path: optional(treePath),
      publisher: optional(publisherKey),
      reachable: optional(boolean),
      uptimeMs,
      maxChildren,
      youngestChild: standing,
      youngestAbove: standing,
      liveStreams,
    },
    'a map',
  ),
  bye: empty,
  'end-stream': empty,
  'list-videos': record({ videos: videoList }, 'a map'),
  'get-manifest': v.pipe(
    record({ manifest: v.optional(v.unknown()) }, 'a map'),
    // The manifest schema (core/shared) also checks what relates one field to another.
    v.transform(({ manifest }) => ({ manifest: readManifest(manifest, 'manifest') })),
  ),
  stats: record(
    {
      stats: v.pipe(
        v.custom<Fields>(isPlainObject, 'a map'),
        v.transform((stats) => ({ ...stats })),
      ),
    },
    'a map',
  ),
  topology: v.pipe(
    record({ tree: v.optional(v.unknown()) }, 'a map'),
    v.transform(({ tree }) => ({
      tree: readTopology(tree, 'tree', 1, { nodes: MAX_TOPOLOGY_NODES, indexes: newIndexBudget() }),
    })),
  ),
  'announce-videos': empty,
  'announce-live': empty,
  // The size bound is what keeps a peer from handing us a "poster" of many megabytes.
  'get-poster': record(
    {
      video: videoName,
      size: uint(MAX_POSTER_BYTES),
      sha256,
      mimeType: v.picklist(POSTER_MIME_TYPES, `one of ${POSTER_MIME_TYPES.join(', ')}`),
    },
    'a map',
  ),
} satisfies { [K in RequestType]: v.GenericSchema<unknown, ReplyFields[K]> };

export const replyValidators = Object.fromEntries(
  Object.entries(replySchemas).map(([type, schema]) => [
    type,
    (fields: Fields) => parseFields(schema as v.GenericSchema<unknown, Fields>, fields),
  ]),
) as unknown as { [K in RequestType]: (fields: Fields) => ReplyFields[K] };

const errorReply = record(
  {
    code: v.pipe(
      v.string('an upper-case error code such as CHUNK_NOT_FOUND'),
      v.regex(ERROR_CODE_FORMAT, 'an upper-case error code such as CHUNK_NOT_FOUND'),
    ),
    message: text(MAX_TEXT_CHARS),
    retryAfterMs: optional(uint(3_600_000)),
    asked: optional(boundedArray(nodeName, MAX_TOPOLOGY_DEPTH)),
    tryInstead: optional(boundedArray(peerRef, MAX_TRY_INSTEAD)),
  },
  'a map',
);

export function readErrorReply(fields: Fields): ErrorReply {
  return { type: 'error', ...parseFields(errorReply, fields) };
}
