/**
 * Every message of the PeerStreamer wire protocol, as TypeScript types. Requests and their replies
 * are listed side by side in two maps keyed by request type; the discriminated unions below are
 * derived from those maps so that adding a message means adding one line to each map (plus its
 * validator in requests.ts / replies.ts, which the compiler then demands).
 *
 * On the wire every message is `[header, ...binary]`: header is msgpack of `{ v, id, type, ...fields }`.
 */
import type { Manifest } from '../shared/manifest.js';
import type { ChunkOrigin, NodeRole } from '../shared/api-types.js';
import type { PosterMimeType, PosterRef } from '../shared/poster.js';
import type { WireErrorCode } from './problems.js';
import type { RequestFields } from './requests.js';

/** A node others can reach: its name and the tcp://host:port of its ROUTER. */
export interface PeerRef {
  name: string;
  address: string;
  /**
   * The node's CURVE key as the node that names it knows it (a master knows each child's, proven
   * when it registered): dial `address#key`, so a sibling is reached with no key asked over UDP and
   * nobody on the path can pose as it. Absent from older nodes and where the key is not known.
   */
  key?: string;
}

/** The chunks of one video a node holds. Index -1 is the init segment. Set semantics: order and duplicates do not matter. */
export interface InventoryEntry {
  video: string;
  /**
   * The manifest digest (core/trust manifestDigest) of the copy of `video` the node holds these
   * chunks under: two videos of one name (another publisher, another version) have different
   * digests, and a master offers a holder only to askers with the same one. Absent from nodes from
   * before digests, and for chunks a node holds without their manifest: never offered then.
   */
  digest?: string;
  indexes: number[];
}

/** The role words a decoder accepts; `NodeRole` (core/shared/api-types.ts) says what each means. */
export const NODE_ROLES: readonly NodeRole[] = ['source', 'master', 'child'];
/** What a node says it is when it registers: a source has no master, so it never registers. */
export type RegisteringRole = Exclude<NodeRole, 'source'>;
export const REGISTERING_ROLES: readonly RegisteringRole[] = ['master', 'child'];
/**
 * Role words nodes sent before the vocabulary above ("relay": a headless node, "viewer": the desktop
 * app). Still accepted when decoding, and read as `child` (or `master` in a topology node with
 * children), so a tree with older nodes keeps registering and drawing.
 */
export const LEGACY_ROLES: readonly string[] = ['relay', 'viewer'];

// ---- request fields ----------------------------------------------------------------------------

// Inferred from their schemas in requests.ts.
export type {
  AnnounceVideosRequest,
  ByeRequest,
  EndStreamRequest,
  GetManifestRequest,
  GetPosterRequest,
  GetRequest,
  PingRequest,
  QueryRequest,
  RegisterRequest,
  ReportRequest,
  RequestFields,
} from './requests.js';

/** Hints a child gives its master so it can spread load; 0 means "no limit / not known". */
export type CapacityHints = RequestFields['register']['capacity'];

/** A request or reply with no fields beyond `type`. */
export type EmptyFields = Record<never, never>;

// ---- reply fields ------------------------------------------------------------------------------

export interface RegisterOk {
  masterName: string;
  /** The child's level in the tree: the master's level + 1 (the source is level 0). */
  level: number;
  /** Whom the child should fall back on when its master stops answering (the master's own master). */
  supermaster?: PeerRef;
  /**
   * The master's place in the tree: addresses from the root down to the master itself (the nearest
   * MAX_TOPOLOGY_DEPTH). A node that finds its own address in it is below itself: a loop.
   */
  path?: string[];
  /**
   * The publisher key the master trusts for the swarm (its own on a source): a child with the
   * original flags alone pins it on first use (core/trust). Absent when the master has none yet.
   */
  publisher?: string;
  /**
   * How long the master has been running, ms: with `maxChildren`, what a child weighs before it
   * drifts up past this master (core/node/drift-up.ts). Absent from older masters, whose children
   * then never drift past them.
   */
  uptimeMs?: number;
  /** The master's --max-children, when it gives `uptimeMs`; absent then: no limit. */
  maxChildren?: number;
  /**
   * The youngest of the master's children that gave their age (the child's own level): what the
   * child passes on to its own children as `youngestAbove`. Absent: none known.
   */
  youngestChild?: NodeStanding;
  /**
   * The youngest node at the master's own level, as the master's master said: a child that outranks
   * it may move up to the master's master, which takes it in that node's place.
   */
  youngestAbove?: NodeStanding;
}

/** A node's age and size as it says them: its uptime, ms, and its --max-children (absent: no limit). */
export interface NodeStanding {
  uptimeMs: number;
  maxChildren?: number;
}

export interface QueryOk {
  video: string;
  /**
   * The manifest digest the holders were chosen for: the asker's, or the master's own when the
   * asker sent none. Absent when the master had none to match (the lists are then empty), and from
   * older masters, which do not match digests.
   */
  digest?: string;
  from: number;
  /** holders[i] are the nodes holding index from + i (at most 64 each; may be empty). */
  holders: PeerRef[][];
}

export interface GetOk {
  video: string;
  index: number;
  /** Byte length of the binary frame that follows the header. */
  size: number;
  /** Lower-case hex sha256 of those bytes, as the sender has it (the manifest stays the authority). */
  sha256: string;
  /** Where the sender got the bytes (its store, a peer, its master, the source): shown by play clients. */
  origin?: ChunkOrigin;
}

/** Where one of a master's live streams stands: its newest chunk's index and its state. */
export interface LiveStreamStanding {
  newest: number;
  state: 'live' | 'ended' | 'failed';
}

export interface ReportOk {
  /** The master's place in the tree now, as in RegisterOk: a report stands in for a heartbeat. */
  path?: string[];
  /** As in PingOk. */
  liveStreams?: Record<string, LiveStreamStanding>;
}

export interface PingOk {
  name: string;
  /** The replier's clock, milliseconds since the Unix epoch. */
  time: number;
  /** To a child's heartbeat: the master's place in the tree now, as in RegisterOk. */
  path?: string[];
  /** To a child's heartbeat: the publisher the master vouches for, as in RegisterOk. */
  publisher?: string;
  /**
   * To a child's heartbeat: whether the master reached the child at the address it registered
   * (the dial-back); absent while the check runs. An unreachable child plays through its own
   * connections but is never offered to others, so it is told, to say so to its user.
   */
  reachable?: boolean;
  /** To a child's heartbeat: as in RegisterOk, current. */
  uptimeMs?: number;
  /** To a child's heartbeat: as in RegisterOk. */
  maxChildren?: number;
  /** To a child's heartbeat: as in RegisterOk, current. */
  youngestChild?: NodeStanding;
  /** To a child's heartbeat: as in RegisterOk, current. */
  youngestAbove?: NodeStanding;
  /**
   * To a child's heartbeat: the master's live streams by name, where each stands. A child whose
   * copy is behind (an announcement that could not reach it) asks for the manifest.
   */
  liveStreams?: Record<string, LiveStreamStanding>;
}

export interface VideoInfo {
  name: string;
  kind: 'fmp4' | 'legacy';
  duration: number | null;
  width: number | null;
  height: number | null;
  chunks: number;
  mimeType: string;
  /** Init segment plus every chunk, from the manifest, so a node holding nothing can show a size. */
  bytes?: number;
  /** The manifest's poster, so a library can tell which videos have one without their manifests. */
  poster?: PosterRef;
  /** The manifest's publisher key, so a list can show whose video it is. Absent: unsigned. */
  publisher?: string;
  /** A live stream's state (its manifest's `live.state`); absent for an on-demand video. */
  live?: 'live' | 'ended' | 'failed';
}

export interface ListVideosOk {
  videos: VideoInfo[];
}

export interface GetManifestOk {
  manifest: Manifest;
}

/** Opaque to the protocol: a map of counters and figures (see PROTOCOL.md for what nodes put there). */
export interface StatsOk {
  stats: Record<string, unknown>;
}

export interface WireTopologyNode {
  name: string;
  /** Null when the node has no reachable address (e.g. a desktop node that does not seed). */
  address: string | null;
  role: NodeRole;
  level: number;
  /** What the node holds, as its master's chunk directory knows it (absent for the root). */
  chunks?: InventoryEntry[];
  children: WireTopologyNode[];
  /**
   * Nodes below this one that the reply leaves out, to stay within the tree's bounds: those whose
   * nearest listed ancestor is this node. Absent when none (and from nodes older than the field).
   */
  omitted?: number;
}

export interface TopologyOk {
  tree: WireTopologyNode;
}

export interface GetPosterOk {
  video: string;
  /** Byte length of the binary frame that follows (at most MAX_POSTER_BYTES). */
  size: number;
  /** The sender's claim; the receiver checks the bytes against its manifest's poster. */
  sha256: string;
  mimeType: PosterMimeType;
}

export interface ReplyFields {
  register: RegisterOk;
  report: ReportOk;
  query: QueryOk;
  get: GetOk;
  ping: PingOk;
  bye: EmptyFields;
  'end-stream': EmptyFields;
  'list-videos': ListVideosOk;
  'get-manifest': GetManifestOk;
  stats: StatsOk;
  topology: TopologyOk;
  'announce-videos': EmptyFields;
  'announce-live': EmptyFields;
  'get-poster': GetPosterOk;
}

// ---- unions ------------------------------------------------------------------------------------

export const REQUEST_TYPES = [
  'register',
  'report',
  'query',
  'get',
  'ping',
  'bye',
  'end-stream',
  'list-videos',
  'get-manifest',
  'stats',
  'topology',
  'announce-videos',
  'announce-live',
  'get-poster',
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

/** Request types whose ok reply carries exactly one binary frame after the header. */
export const TYPES_WITH_BODY: ReadonlySet<RequestType> = new Set<RequestType>(['get', 'get-poster']);

export type RequestOf<K extends RequestType> = { type: K } & RequestFields[K];
/** Any request, as a caller builds it (the transport adds `v` and `id`). */
export type Request = { [K in RequestType]: RequestOf<K> }[RequestType];

export type OkType<K extends RequestType = RequestType> = `${K}-ok`;
export type OkReplyOf<K extends RequestType> = { type: OkType<K> } & ReplyFields[K];
export type OkReply = { [K in RequestType]: OkReplyOf<K> }[RequestType];

export interface ErrorReply {
  type: 'error';
  /** A WireErrorCode, or a code from a newer peer that this one does not know. */
  code: WireErrorCode | (string & {});
  message: string;
  /** With OVERLOADED: when it is worth asking again. */
  retryAfterMs?: number;
  /**
   * With VIDEO_NOT_FOUND: the nodes asked, the replier first and then up its chain of masters to the
   * one that had no master to ask, so the first node can say where it looked in one sentence.
   */
  asked?: string[];
  /** With MASTER_FULL: the full master's children that have room, best first, to register with instead. */
  tryInstead?: PeerRef[];
}

export type Reply = OkReply | ErrorReply;

/** A request as it arrived: validated fields plus the request id to answer with. */
export type IncomingRequest = Request & { id: number };
export type IncomingRequestOf<K extends RequestType> = RequestOf<K> & { id: number };

/** A reply as it arrived: validated, with its request id and (for get-ok) the binary frame. */
export interface IncomingReply {
  id: number;
  reply: Reply;
  body?: Buffer;
}

export function okTypeOf<K extends RequestType>(type: K): OkType<K> {
  return `${type}-ok`;
}
