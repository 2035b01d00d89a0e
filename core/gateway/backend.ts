import type {
  ChunkOrigin,
  LibraryEntry,
  LinkCheck,
  LiveSessionView,
  LiveUpdate,
  NodeStats,
  StopLiveReply,
  TopologyNode,
} from '../shared/api-types.js';
import type { Manifest } from '../shared/manifest.js';
import type { PosterRef } from '../shared/poster.js';

/** A poster image and the manifest's reference it was checked against. */
export interface PosterImage {
  bytes: Uint8Array;
  ref: PosterRef;
}

/**
 * What the gateway needs from a node. The gateway turns HTTP-shaped requests into these calls and
 * never touches the store or the network itself, so the same gateway fronts a standalone store, a
 * full peer node, or (in tests) either.
 *
 * Methods throw PeerStreamerError with codes VIDEO_NOT_FOUND, CHUNK_NOT_FOUND, INVALID_CHECKSUM,
 * UNREACHABLE or TIMEOUT; the gateway maps codes to HTTP statuses.
 */
export interface ReadOptions {
  /**
   * The player is warming its cache ahead of a click (the X-PeerStreamer-Purpose: prefetch header),
   * not playing: a node's library prefetch need not give way.
   */
  prefetch?: boolean;
}

export interface GatewayBackend {
  listVideos(): Promise<LibraryEntry[]>;
  getManifest(name: string): Promise<Manifest>;
  getInit(name: string, signal?: AbortSignal, options?: ReadOptions): Promise<Uint8Array>;
  /** Chunk bytes, verified against the manifest, from the local store, a peer, or the master. */
  getChunk(
    name: string,
    index: number,
    signal?: AbortSignal,
    options?: ReadOptions,
  ): Promise<{ bytes: Uint8Array; origin: ChunkOrigin }>;
  /**
   * The video's poster, verified against its manifest; null when the manifest names none or it
   * cannot be had right now (never an error for that: a card then shows its placeholder).
   */
  getPoster(name: string, signal?: AbortSignal): Promise<PosterImage | null>;
  /**
   * The video's link (peerstreamer://...), as `peerstreamer link --from <this node>` prints it.
   * VIDEO_NOT_FOUND for a video the node does not list; UNTRUSTED_MANIFEST for an unsigned one,
   * since a link carries the key its players trust.
   */
  videoLink(name: string): Promise<string>;
  /** A pasted or clicked link read and checked against this node (INVALID_ARGUMENT naming the bad part). */
  checkLink(text: string): Promise<LinkCheck>;
  stats(): Promise<NodeStats>;
  topology(): Promise<TopologyNode>;
  /**
   * Goes live on this node (`POST api/live`). `fields` is the request body as sent (a JSON object):
   * the backend checks it by the control channel's `live-start` rules, so a bad field is
   * INVALID_ARGUMENT naming it; then VIDEO_EXISTS (name taken), INPUT_NOT_FOUND, PORT_IN_USE,
   * FFMPEG_FAILED (the input failed before its first chunk). A backend with no node to go live on
   * answers UNREACHABLE.
   */
  startLive(fields: unknown): Promise<LiveSessionView>;
  /** Stops a stream (`fields`: `name`, optional `keep`, checked as `live-stop` is); VIDEO_NOT_FOUND for none. */
  stopLive(fields: unknown): Promise<StopLiveReply>;
  /** The live streams this node publishes (started here), newest last. */
  liveSessions(): Promise<LiveSessionView[]>;
  /** Pushes stats/topology changes; returns an unsubscribe function. */
  subscribe(listener: (update: LiveUpdate) => void): () => void;
}
