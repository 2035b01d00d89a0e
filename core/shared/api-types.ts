/**
 * Shapes the gateway serves to the player. The renderer imports this module as types only; the node
 * fills these in. Keep it free of runtime imports.
 */
import type { Manifest } from './manifest.js';

export type { Manifest };

/** Where a chunk's bytes came from, for the stats panel and the node's counters. */
export type ChunkOrigin = 'local' | 'peer' | 'master' | 'source';

export interface LibraryEntry {
  name: string;
  kind: Manifest['kind'];
  mimeType: string;
  /** Seconds; null for legacy byte-split videos. */
  duration: number | null;
  width: number | null;
  height: number | null;
  chunks: number;
  chunksHeld: number;
  /** Init segment plus every chunk, from the manifest; null when an older master does not say. */
  bytesTotal: number | null;
  bytesHeld: number;
  /**
   * sha256 of the video's poster image (serve it from `api/videos/<name>/poster?v=<sha256>`), or
   * null when it has none: videos from before posters, audio, legacy imports.
   */
  posterSha256: string | null;
  /** The publisher's key (show publisherFingerprint of it beside the name); null when unsigned. */
  publisher: string | null;
  /**
   * Set for a live stream (its manifest has `live`): its state, and how many watch it when the node
   * knows (absent until it does; the player then shows no count). Absent for an on-demand video.
   */
  live?: LiveEntry;
}

/** A live stream's facts on its library card. */
export interface LiveEntry {
  state: 'live' | 'ended' | 'failed';
  /**
   * ISO date-time the stream started; absent for one this node holds nothing of yet (its master's
   * list gives the state only).
   */
  startedAt?: string;
  viewers?: number;
}

/** `api/videos/<name>/link`: the video's link, built by the node (see core/link). */
export interface VideoLinkReply {
  link: string;
}

/**
 * `api/link?text=<link>`: a pasted or clicked link as this node reads it. The node parses it (the
 * renderer cannot run the key checks) and says whether its player can open the video as it is:
 * `here` when it trusts the link's publisher and is in that swarm, or lists the video signed by
 * that publisher. Otherwise joining the link's swarm is the desktop app's job (or `node --join`).
 */
export interface LinkCheck {
  publisher: string;
  video: string;
  peers: string[];
  here: boolean;
}

/**
 * A node's place in the tree; the same words on the wire, in the CLI, the player and the docs.
 * - `source`: has no master (level 0), whether or not children registered with it;
 * - `master`: registered under a master, with at least one child of its own;
 * - `child`: registered under a master (or still looking for it), with no children.
 */
export type NodeRole = 'source' | 'master' | 'child';

export interface PeerStat {
  name: string;
  address: string;
  /** How this node knows the peer. */
  relation: 'master' | 'supermaster' | 'child' | 'peer';
  rttMs: number | null;
  bytesUp: number;
  bytesDown: number;
  failures: number;
  lastSeen: string | null;
}

export interface NodeStats {
  name: string;
  role: NodeRole;
  address: string;
  uptimeSeconds: number;
  seeding: boolean;
  /** Bytes this node sent to others (chunks served). */
  bytesServed: number;
  /**
   * Bytes by origin: bytes that crossed the network from peers, the master and the source (counted
   * once, on arrival, whoever asked), and local reads of chunks already in the store (cache hits).
   */
  bytesFetched: Record<ChunkOrigin, number>;
  chunksFetched: Record<ChunkOrigin, number>;
  chunksHeld: number;
  bytesHeld: number;
  capacityBytes: number | null;
  streamsActive: number;
  invalidMessages: number;
  peers: PeerStat[];
  /** The master currently in use (the supermaster after a failover), if any. */
  currentMaster: string | null;
  /** That master's node name. Absent from older nodes. */
  masterName?: string | null;
  /**
   * Whether that master reached this node at the address it registered (its dial-back): false means
   * peers cannot connect to it (behind a NAT or a firewall), so it plays through its own connections
   * and shares only through its master. Null while unknown (no master, or the check still running).
   * Absent from older nodes.
   */
  reachable?: boolean | null;
  /**
   * Whether this node asked its home router to open its port (UPnP/NAT-PMP) and how that went.
   * Absent when port mapping is off, and from older nodes.
   */
  portMapping?: PortMappingStats;
  /** Children registered with this node now. Absent from older nodes. */
  childCount?: number;
  /** Starts of library videos fetched ahead of a click (see LibraryPrefetchStats). Absent from older nodes. */
  libraryPrefetch?: LibraryPrefetchStats;
  /**
   * How often each resource bound was hit since start (docs/SECURITY.md, Bounded resources): a
   * non-zero figure says a peer sent more than the node keeps. Absent from older nodes.
   */
  limitHits?: LimitHits;
  /** The node's CURVE public key (Z85) and its fingerprint (8 hex digits). Absent from older nodes. */
  key?: string;
  keyFingerprint?: string;
  /** Connections refused at the handshake: keys not on its `--allow` list. Absent from older nodes. */
  handshakesRefused?: number;
  /** Whose videos this node believes, and what it refused (see core/trust). Absent from older nodes. */
  trust?: TrustStats;
}

/** A node's port mapping on its home router (core/node/port-mapping.ts). */
export interface PortMappingStats {
  /** `trying`: asking the router; `mapped`: the port is open; `failed`: no router opened it (`reason`); `off`: stopped. */
  state: 'trying' | 'mapped' | 'failed' | 'off';
  /** The protocol that opened it: `NAT-PMP` or `UPnP`. */
  protocol?: string;
  /** The router's address. */
  gateway?: string;
  /** `host:port` where the outside reaches this node: what it advertises while mapped. */
  external?: string;
  /** When the lease runs out unless renewed (ISO 8601). */
  expiresAt?: string;
  /** Why no router opened the port: each protocol's answer. */
  reason?: string;
}

/** Times each bound refused something, since start. */
export interface LimitHits {
  /** Requests refused for having more than one frame. */
  multiFrameRequests: number;
  /** Headers refused as larger than a request may be (those past libzmq's frame bound never arrive). */
  oversizedRequests: number;
  /** Newcomers sent to a child with room because this node had --max-children. */
  childrenFull: number;
  /** Newcomers refused outright at twice --max-children. */
  childrenHardCap: number;
  /** Newcomers sent to a child because their address had its share of children (16). Absent from older nodes. */
  childrenPerAddress?: number;
  /** Directory entries not kept: one child listed more than its share. */
  directoryPerChild: number;
  /** Directory entries not kept: the directory was full. */
  directoryTotal: number;
  /** Children that did not answer the dial-back at the address they registered with. */
  unreachableChildren: number;
  /** Requests answered OVERLOADED: a peer had too many in flight. */
  overloaded: number;
  /** Requests answered OVERLOADED: a peer sent more bytes per second than its budget. */
  rateLimited: number;
  /** Handshakes refused: too many connections open, or too many new ones from one address. */
  connectionsRefused: number;
}

export interface TrustStats {
  /** The swarm publisher this node trusts and vouches for to its children (a source: its own key). */
  publisher: string | null;
  /** Where that trust came from: `--publisher`, `--join` (a link's key), the first master, or `own key`. */
  publisherFrom: string | null;
  /** This store's own publisher key, when it has published anything. */
  ownKey: string | null;
  /** Manifests refused: unsigned, badly signed, or from another publisher. */
  refusedManifests: number;
  /** Masters that vouched for another publisher than the trusted one. */
  publisherMismatches: number;
}

/** The library prefetch: init segment and chunk 0 of listed videos, held before anyone plays them. */
export interface LibraryPrefetchStats {
  /** Videos whose start is prefetched (or being prefetched) and not played yet. */
  videos: number;
  /** Bytes of those prefetched chunks, bounded by the node's budget. */
  bytes: number;
  /** Prefetches in flight. */
  inFlight: number;
}

export interface TopologyNode {
  name: string;
  address: string;
  role: NodeRole;
  /** True for the node that answered the topology request. */
  self: boolean;
  alive: boolean;
  /** Video name -> chunk indexes this node holds (as its master knows it). */
  chunks: Record<string, number[]>;
  children: TopologyNode[];
  /**
   * Nodes below this one the tree leaves out (a tree past the protocol's 10,000 nodes or 32 levels
   * is cut, breadth-first): those whose nearest listed ancestor is this node. Absent when none.
   */
  omitted?: number;
}

/**
 * A live stream this node holds grew (a newer chunk, `newest` its index) or changed state: sent the
 * moment the node stores it, so a player following the stream asks for the manifest then instead of
 * on its next poll.
 */
export interface LiveStreamUpdate {
  type: 'live-stream';
  video: string;
  newest: number;
  state: LiveEntry['state'];
}

/**
 * `POST api/live`: go live on this node. The fields of the control channel's `live-start`, checked by
 * its schema (core/control/request-schemas.ts), so the app and `peerstreamer live start` meet one set
 * of rules. `input` is a spec as `--input` takes it: `testsrc[:WxH@fps]`, `file:<absolute path>`,
 * `rtmp://host:port/app`, `srt://host:port` or `v4l2:<device>`.
 */
export interface GoLiveRequest {
  name: string;
  input: string;
  /** A file input plays again from its start at its end (files only). */
  loop: boolean;
  /** The DVR window in whole seconds; 0 keeps every chunk (and so the recording). */
  window: number;
  /** Seconds a started input may send nothing before it counts as stopped (default 10). */
  stallSeconds?: number;
}

/** `POST api/live/<name>/stop`: with `keep`, the recording is stored as an ordinary video of that name. */
export interface StopLiveRequest {
  keep?: string;
}

/** A live stream this node publishes, as `api/live` lists it (the control channel's `live ls` row). */
export interface LiveSessionView {
  name: string;
  /** starting: the input opens or a listener waits for its publisher; stopped: `live stop`. */
  state: 'starting' | 'live' | 'ended' | 'failed' | 'stopped';
  input: string;
  stream: string | null;
  chunks: number;
  inWindow: number;
  seconds: number;
  window: number;
  delayMs: number | null;
  /** Why it ended or failed, or a note on the input, in words. */
  reason: string | null;
  startedAt: string;
}

/** `POST api/live/<name>/stop`'s answer: the stream as it ended, and the recording kept, if asked. */
export interface StopLiveReply {
  session: LiveSessionView;
  kept: { name: string; chunks: number; duration: number } | null;
}

/** One event on the gateway's live-update stream. */
export type LiveUpdate =
  { type: 'stats'; stats: NodeStats } | { type: 'topology'; topology: TopologyNode } | LiveStreamUpdate;

/** JSON body of every gateway error response. */
export interface ApiError {
  /** `asked`, with VIDEO_NOT_FOUND: the nodes that looked for the video, this node first. */
  error: { code: string; message: string; asked?: string[] };
}

/**
 * The request header (and its value) by which the player marks requests that only warm its HTTP
 * cache ahead of a click, not playback: the gateway serves those from the library prefetch alone.
 */
export const PREFETCH_HEADER = 'X-PeerStreamer-Purpose';
export const PREFETCH_PURPOSE = 'prefetch';
