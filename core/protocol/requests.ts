/**
 * Every request's fields as a valibot schema; the request types are inferred from them. A schema
 * builds a fresh object from the fields it knows: unknown fields are dropped (so a newer peer may add
 * optional fields within version 1), and nothing that was not checked reaches a handler.
 */
import * as v from 'valibot';
import { record } from '../shared/schema.js';
import {
  address,
  boolean,
  boundedArray,
  chunkIndex,
  countsByVideo,
  finiteNumber,
  manifestDigest,
  nodeId,
  nodeKey,
  nodeName,
  optional,
  parseFields,
  streamId,
  uint,
  videoName,
} from './field-schemas.js';
import { isAbsent, type Fields } from './fields.js';
import { newRequestIndexBudget, readInventory } from './inventory.js';
import {
  MAX_CHILDREN_LIMIT,
  MAX_DUE_IN_MS,
  MAX_LIVE_VIEWERS,
  MAX_LIVE_VIEWER_STREAMS,
  MAX_QUERY_COUNT,
  MAX_RTT_MS,
  MAX_SUSPECTS,
  MAX_TOPOLOGY_DEPTH,
} from './limits.js';
import {
  LEGACY_ROLES,
  REGISTERING_ROLES,
  type EmptyFields,
  type RegisteringRole,
  type RequestType,
} from './messages.js';
import { announcedVideoList } from './replies.js';
import { readManifest } from './manifest-fields.js';

const ROLE_WORDS = `${REGISTERING_ROLES.map((role) => JSON.stringify(role)).join(' or ')} (a source has no master, so it never registers)`;
const role = v.pipe(
  v.custom<string>(
    (input) => REGISTERING_ROLES.includes(input as RegisteringRole) || LEGACY_ROLES.includes(input as string),
    ROLE_WORDS,
  ),
  // Older nodes said what they ran as; whatever it was, a node that registers is a child here.
  v.transform((word): RegisteringRole => (LEGACY_ROLES.includes(word) ? 'child' : (word as RegisteringRole))),
);

// 2^53 - 1 bytes per second or of storage is "unlimited" in practice; the bound is only against garbage.
const MAX_HINT = Number.MAX_SAFE_INTEGER;

/** Hints a child gives its master so it can spread load; 0 means "no limit / not known". */
const capacity = record(
  {
    /** Requests the child is willing to serve at once. */
    maxInFlight: uint(1_000_000),
    /** Upload bandwidth the child allows, bytes per second. */
    uploadBytesPerSecond: uint(MAX_HINT),
    /** Bytes of chunk cache the child has. */
    storeBytes: uint(MAX_HINT),
  },
  'a map',
);

/**
 * How many more children the registering (or heartbeating) node will take below it: a full master
 * sends newcomers to its children with room (MASTER_FULL). Absent: no limit, or an older node.
 */
const room = optional(uint(MAX_CHILDREN_LIMIT));
/**
 * How many levels below the sender the nearest node with room is: 0 when it has room itself. A full
 * master sends a newcomer toward the shallowest room, so the tree stays as shallow as it can. Absent:
 * unknown, or no room anywhere below.
 */
const levelsToRoom = optional(uint(MAX_TOPOLOGY_DEPTH));
/**
 * Where that nearest room is, when the sender is full itself: a node in its subtree (with the key its
 * own master saw it prove), so a full master high in the tree can send a newcomer straight there
 * instead of one level at a time. Absent when the sender has room, or knows of none below.
 */
const roomAt = optional(record({ name: nodeName, address, key: optional(nodeKey) }, 'a map'));
/**
 * How many more newcomers that place takes, less those the sender already sent there: a master
 * sends no more than this to it before the next heartbeat, then the sender itself. Absent: an older
 * node (taken as one).
 */
const roomAtRoom = optional(uint(MAX_CHILDREN_LIMIT));

/**
 * How many nodes in the sender's subtree (itself included) watch each live stream now, by video
 * name, as of this heartbeat or report (core/node/live-viewers.ts): each one replaces the last, and
 * a stream left out has none. At most MAX_LIVE_VIEWER_STREAMS streams, the most watched first.
 * Absent: none watched, or an older node.
 */
const liveViewers = optional(countsByVideo(MAX_LIVE_VIEWER_STREAMS, MAX_LIVE_VIEWERS));

const register = v.pipe(
  record(
    {
      /** The child's node name (unique among its master's children). */
      name: nodeName,
      /**
       * The registering node's id: random, made once per store and kept in it. The master tells "the
       * same node restarting" (same name, same id: its old entries are replaced) from "another node
       * under a name already live here" (same name, different id: NAME_TAKEN). Absent from older nodes.
       */
      nodeId: optional(nodeId),
      /** Where the child's ROUTER can be reached. */
      address,
      /** `master` when the registering node already has children of its own (e.g. after a failover). */
      role,
      /** False: the child does not serve chunks to others, so the master never lists it as a holder. */
      seeding: boolean,
      /** Everything already in the child's cache, so a restarted node is sent others at once. */
      chunks: v.optional(v.unknown()),
      capacity,
      room,
      levelsToRoom,
      roomAt,
      roomAtRoom,
      /**
       * The node is moving up (core/node/drift-up.ts) and has a place already: take it into room of
       * the master's own, or in place of the youngest child it outranks (by `uptimeMs` and
       * `maxChildren`); else refuse it MASTER_FULL with no suggestions, even where a node with
       * nowhere else to go would be taken. Absent: false.
       */
      moveUp: optional(boolean),
      /** How long the registering node has been up, ms: its seniority (see moveUp). */
      uptimeMs: optional(uint(Number.MAX_SAFE_INTEGER)),
      /** Its --max-children, with uptimeMs; absent then: no limit. */
      maxChildren: optional(uint(MAX_CHILDREN_LIMIT)),
    },
    'a map',
  ),
  // Inventories keep one index budget across every list of a message, so inventory.ts reads them.
  v.transform(({ chunks, ...fields }) => ({
    ...fields,
    chunks: readInventory({ chunks }, 'chunks', newRequestIndexBudget()),
  })),
);

const report = v.pipe(
  record(
    {
      name: nodeName,
      /** As in register: a report from another node under the same name is refused NOT_REGISTERED. */
      nodeId: optional(nodeId),
      added: v.optional(v.unknown()),
      removed: v.optional(v.unknown()),
      /** As on a heartbeat: a report stands in for one (see MasterHeartbeat). */
      room,
      levelsToRoom,
      roomAt,
      roomAtRoom,
      liveViewers,
      /**
       * Siblings this child banned for bad bytes or silence since its last report (smart-ban): the
       * master checks each itself before it stops listing it (SuspectChecks).
       */
      suspects: optional(boundedArray(nodeName, MAX_SUSPECTS)),
    },
    'a map',
  ),
  v.transform(({ added, removed, ...fields }) => {
    const budget = newRequestIndexBudget();
    return {
      ...fields,
      added: readInventory({ added }, 'added', budget),
      removed: readInventory({ removed }, 'removed', budget),
    };
  }),
);

const COUNT_WORDS = `an integer from 1 to ${MAX_QUERY_COUNT}`;
const query = record(
  {
    /** The requester, so the master leaves it out of the holders. */
    name: nodeName,
    video: videoName,
    /**
     * The requester's manifest digest of `video`: only holders of that same content are named.
     * Absent when it does not hold the manifest yet (a cold start asks for the holders of the start
     * beside the manifest) and from older nodes: the master then matches its own manifest's digest,
     * the manifest it hands the requester.
     */
    digest: optional(manifestDigest),
    /** First index asked about (-1 = init segment). */
    from: chunkIndex(true),
    /** How many consecutive indexes, 1..64. */
    count: v.pipe(
      v.number(COUNT_WORDS),
      v.integer(COUNT_WORDS),
      v.minValue(1, COUNT_WORDS),
      v.maxValue(MAX_QUERY_COUNT, COUNT_WORDS),
    ),
  },
  'a map',
);

const getFields = {
  video: videoName,
  /** Chunk index, or -1 for the init segment. */
  index: chunkIndex(true),
  /**
   * Fetch upstream if this node lacks the chunk: a child asking its master on behalf of a stream, so
   * the master may fetch from its peers and its own master.
   */
  fetchUpstream: boolean,
  streamId: optional(streamId),
  /** The requesting node, for logs and per-peer accounting. */
  name: optional(nodeName),
  /**
   * How soon the asker needs the chunk, in milliseconds: 0 for the chunk a player waits on (its first,
   * or after a stall), more for read-ahead. A node that serves under an upload limit sends what is due
   * soonest first. Absent: now (an older node, or an asker that does not say).
   */
  dueInMs: optional(uint(MAX_DUE_IN_MS)),
};
// The hot path: every chunk served starts with a get, so the common case runs no transform.
const get = record(getFields, 'a map');
/** A get from a node that still calls `fetchUpstream` by its older name, `fromChild`. */
const getFromOlderNode = v.pipe(
  record({ ...getFields, fetchUpstream: v.optional(v.unknown()), fromChild: boolean }, 'a map'),
  v.transform(({ fromChild, ...fields }): v.InferOutput<typeof get> => ({
    ...fields,
    fetchUpstream: fromChild,
  })),
);

const ping = record(
  {
    name: optional(nodeName),
    /** As in register: a heartbeat counts only for the node that holds the name. */
    nodeId: optional(nodeId),
    /**
     * The child's smoothed round-trip time to this master, in milliseconds, as it measures it on its
     * heartbeats: the master shows it for the child (a master sends no heartbeats of its own).
     */
    rttMs: optional(finiteNumber(0, MAX_RTT_MS)),
    room,
    levelsToRoom,
    roomAt,
    roomAtRoom,
    liveViewers,
  },
  'a map',
);

const bye = record(
  {
    name: nodeName,
    /** As in register: a goodbye from another node under the same name removes nothing. */
    nodeId: optional(nodeId),
  },
  'a map',
);

/** A play client is done with a stream (it finished, or its consumer went away): free it now. */
const endStream = record({ streamId }, 'a map');

const getManifest = record(
  {
    video: videoName,
    /**
     * For a live stream: only the chunks after this index, under the stream's signed header (each
     * chunk carries its own signature). A live viewer following the stream asks this way, instead of
     * for the whole list again each time. Ignored for an on-demand video.
     */
    after: optional(chunkIndex(false)),
  },
  'a map',
);

/**
 * A master telling a child what it lists, because that changed (a video was added): the child
 * replaces its cached copy of the master's list at once and passes its own list on to its children.
 */
const announceVideos = record(
  {
    /** The announcing node; a child takes the hint only from its current master. */
    name: nodeName,
    /**
     * What `list-videos` on the announcing node answers now. Sent for nodes from before
     * announcements became hints, which require it and use it; newer receivers ask their master
     * instead, and accept an announcement without it (but check it when sent).
     */
    videos: optional(announcedVideoList),
  },
  'a map',
);

/**
 * A master telling a child of a live stream's newest chunks as they are made: the stream's manifest
 * with its signed header and only its newest chunks (each signed), checked as any manifest is. The
 * child takes it from its current master alone, checks the signatures, grows its own copy and passes
 * it on down (see Live streams).
 */
const announceLive = v.pipe(
  record(
    {
      /** The announcing node; a child takes the announcement only from its current master. */
      name: nodeName,
      manifest: v.optional(v.unknown()),
      /**
       * How many nodes watch the stream across the whole tree, as the source counts them (the sum of
       * its subtree's `liveViewers`): each node keeps the latest and passes it on. Outside the
       * manifest, so its signatures are untouched. Absent: not known, or an older source.
       */
      viewers: optional(uint(MAX_LIVE_VIEWERS)),
    },
    'a map',
  ),
  v.transform(({ manifest, ...fields }) => ({ ...fields, manifest: readManifest(manifest, 'manifest') })),
);

const getPoster = record(
  {
    video: videoName,
    /** The requesting node, for logs. */
    name: optional(nodeName),
  },
  'a map',
);

const empty = record({}, 'a map');

const requestSchemas = {
  register,
  report,
  query,
  get,
  ping,
  bye,
  'end-stream': endStream,
  'list-videos': empty,
  'get-manifest': getManifest,
  stats: empty,
  topology: empty,
  'announce-videos': announceVideos,
  'announce-live': announceLive,
  'get-poster': getPoster,
} satisfies { [K in RequestType]: v.GenericSchema<unknown, unknown> };

type FieldsOf<K extends RequestType> = v.InferOutput<(typeof requestSchemas)[K]>;
export type RegisterRequest = FieldsOf<'register'>;
export type ReportRequest = FieldsOf<'report'>;
export type QueryRequest = FieldsOf<'query'>;
export type GetRequest = FieldsOf<'get'>;
export type PingRequest = FieldsOf<'ping'>;
export type ByeRequest = FieldsOf<'bye'>;
export type EndStreamRequest = FieldsOf<'end-stream'>;
export type GetManifestRequest = FieldsOf<'get-manifest'>;
export type AnnounceVideosRequest = FieldsOf<'announce-videos'>;
export type GetPosterRequest = FieldsOf<'get-poster'>;

/** The checked fields of each request type, as handlers receive them. */
export type RequestFields = {
  [K in RequestType]: K extends 'list-videos' | 'stats' | 'topology' ? EmptyFields : FieldsOf<K>;
};

export const requestValidators = {
  ...(Object.fromEntries(
    Object.entries(requestSchemas).map(([type, schema]) => [
      type,
      (fields: Fields) => parseFields(schema as v.GenericSchema<unknown, Fields>, fields),
    ]),
  ) as { [K in RequestType]: (fields: Fields) => RequestFields[K] }),
  get: (fields: Fields): GetRequest =>
    isAbsent(fields, 'fetchUpstream') && !isAbsent(fields, 'fromChild')
      ? parseFields(getFromOlderNode, fields)
      : parseFields(get, fields),
};
