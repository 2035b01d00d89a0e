/**
 * Every bound the wire protocol enforces, in one place, so the validators, the socket options and
 * docs/PROTOCOL.md agree. Bounds exist so that one peer cannot make another allocate without limit.
 */

/** The only header version this code speaks. A header with any other `v` gets UNSUPPORTED_VERSION. */
export const PROTOCOL_VERSION = 1;

/**
 * Largest msgpack header of a reply. Replies carry the big lists (a topology tree with up to
 * 1,000,000 indexes, a manifest, a library of 10,000 videos); the DEALER's ZMQ_MAXMSGSIZE is the
 * chunk frame's 64 MiB, so this bound is checked in the decoder.
 */
export const MAX_HEADER_BYTES = 8 * 1024 * 1024;

/**
 * Largest request: a request is one msgpack header and nothing else, and no request needs more than
 * this (a `register` or `report` carries at most a request's inventory budget, below). It is the
 * ROUTER's ZMQ_MAXMSGSIZE, so libzmq drops a connection whose frame length prefix is larger before
 * it buffers the frame; a message of n frames costs the node at most n times this before it is
 * refused (see docs/PROTOCOL.md, Malformed and oversized input).
 */
export const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * Inventory budget of one request (`register`, or one `report` across `added` and `removed`):
 * 8,192 indexes at 5 bytes each at most, plus 32 videos per list of 200-byte names, stay under
 * MAX_REQUEST_BYTES with room for the other fields. A child holding more registers with a first
 * part and reports the rest in batches of this size.
 */
export const MAX_REQUEST_INVENTORY_INDEXES = 8_192;
/** Distinct videos in one inventory list of a request. */
export const MAX_REQUEST_INVENTORY_VIDEOS = 32;

/** Largest binary frame a `get-ok` reply may carry: a chunk or init segment, as the manifest bounds them. */
export { MAX_CHUNK_BYTES as MAX_BODY_BYTES } from '../shared/manifest-schema.js';

/** Request ids are unsigned 32-bit integers; 0 is reserved for "no request" (see PROTOCOL.md). */
export const MAX_REQUEST_ID = 0xffff_ffff;

export const MAX_NODE_NAME_BYTES = 100;
export const MAX_STREAM_ID_BYTES = 64;
/** A node id (see `register`): letters, digits, '-' and '_'. PeerStreamer sends 32 hex digits. */
export const MAX_NODE_ID_CHARS = 64;
/** Round-trip times a ping may report, in milliseconds: an hour is far beyond any heartbeat timeout. */
export const MAX_RTT_MS = 3_600_000;
export const MAX_ADDRESS_CHARS = 300;

/** Chunk indexes are below 10^7 (more than a year of 4-second chunks). */
export const CHUNK_INDEX_LIMIT = 10_000_000;

/** Total indexes across the inventories of one reply (a topology tree's `chunks`). */
export const MAX_INVENTORY_INDEXES = 1_000_000;
/** Distinct videos in one inventory list of a reply. */
export const MAX_INVENTORY_VIDEOS = 10_000;

/** A query asks about at most this many consecutive indexes. */
export const MAX_QUERY_COUNT = 64;

/** Siblings one `report` may name as banned (smart-ban); more wait for the next report. */
export const MAX_SUSPECTS = 8;
/**
 * Live streams one `ping` or `report` may give viewer counts for (`liveViewers`): a node's subtree
 * watches few live streams at once; past this many, the most watched go first and the rest wait.
 */
export const MAX_LIVE_VIEWER_STREAMS = 16;
/**
 * The most viewers one count may say (a subtree's in `liveViewers`, the source's total in
 * `announce-live`): far past any swarm; sums that would pass it stop there.
 */
export const MAX_LIVE_VIEWERS = 1_000_000;
/** Holders listed per index in a query reply. */
export const MAX_HOLDERS_PER_INDEX = 64;
/** The furthest ahead a `get` may say it is needed (`dueInMs`): an hour, past any read-ahead. */
export const MAX_DUE_IN_MS = 3_600_000;
/** Nodes a full master suggests in a MASTER_FULL reply (its children with room). */
export const MAX_TRY_INSTEAD = 8;
/** The most children a node can be told to take (--max-children), and the most room it can report. */
export const MAX_CHILDREN_LIMIT = 100_000;

export const MAX_VIDEOS_LISTED = 10_000;
/**
 * Videos an `announce-videos` request may still list for children from before announcements were
 * hints: a request must fit MAX_REQUEST_BYTES, and an entry is at most about 560 bytes. A longer
 * library is announced without its list (older children then wait for their cache to expire).
 */
export const MAX_VIDEOS_ANNOUNCED = 64;
export const MAX_TEXT_CHARS = 2_000;
/** An error code on the wire (and on the control channel): upper case, at most 64 characters. */
export const ERROR_CODE_FORMAT = /^[A-Z][A-Z0-9_]{0,63}$/;

/** An error message cut to what a reader accepts (MAX_TEXT_CHARS), marked as cut. */
export function clipMessage(message: string): string {
  return message.length > MAX_TEXT_CHARS ? `${message.slice(0, MAX_TEXT_CHARS - 1)}…` : message;
}
/** A video's MIME type as its manifest bounds it (list-videos repeats it). */
export { MAX_MIME_TYPE_CHARS } from '../shared/manifest-schema.js';

export const MAX_TOPOLOGY_DEPTH = 32;
export const MAX_TOPOLOGY_NODES = 10_000;
/**
 * What a topology node may say it left out (`omitted`). A count costs the reader nothing, so the
 * bound is only that it be exact: any safe integer.
 */
export const MAX_TOPOLOGY_OMITTED = Number.MAX_SAFE_INTEGER;

/** Largest poster image a `get-poster-ok` may carry (defined with the poster type in core/shared). */
export { MAX_POSTER_BYTES } from '../shared/poster.js';

/** Nesting depth accepted in opaque objects (stats). */
export const MAX_OPAQUE_DEPTH = 16;
