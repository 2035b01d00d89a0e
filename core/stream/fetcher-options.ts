import type { ChunkStorage } from '../store/chunk-storage.js';
import type { Manifest } from '../shared/manifest.js';
import type { PeerRef } from '../protocol/messages.js';
import type { Transport } from '../net/transport.js';
import type { PeerHealth } from '../net/peer-health.js';
import type { ChunkOrigin } from '../shared/api-types.js';
import type { Logger } from '../util/logger.js';
import type { Clock } from '../util/clock.js';
import type { HolderCache } from './holder-cache.js';
import type { UpstreamView } from './upstream-view.js';

/**
 * What the fetcher tells its owner about its traffic: the fetcher's own interface, so core/stream
 * does not reach into core/node (a node's NodeCounters is one implementation).
 */
export interface FetchCounters {
  /** Once per chunk arriving from the network, and once per cache hit a consumer reads (`local`). */
  fetched(origin: ChunkOrigin, bytes: number): void;
  /** Chunks that arrived with bytes not matching the manifest's sha256. */
  corruptChunks: number;
  /** Times a fetch moved from a failed master to the next one. */
  failovers: number;
}

/**
 * The check a manifest from a peer passes before it is stored or used: throws (UNTRUSTED_MANIFEST)
 * unless it is validly signed by a publisher this node trusts. core/trust's PublisherTrust is one.
 */
export interface ManifestTrust {
  accept(manifest: Manifest, from: PeerRef): void;
}

export interface FetcherOptions {
  selfName: string;
  /**
   * How others reach this node: named in "no video X in this swarm" so the reader can list it there.
   * Read when needed, because a node started on port 0 learns its port only once it is bound.
   */
  selfAddress?: () => string;
  store: ChunkStorage;
  /**
   * The digest of the manifest this node stores for a video (undefined: none yet), sent with each
   * holder query so the master names only holders of the same content; core/trust computes it
   * (storedManifestDigest), which this layer does not import.
   */
  manifestDigestOf: (video: string) => string | undefined;
  /** Every manifest fetched from above passes it before it is stored. */
  manifestTrust: ManifestTrust;
  transport: Transport;
  upstream: UpstreamView;
  health: PeerHealth;
  counters: FetchCounters;
  logger: Logger;
  /** How long one peer may take for one chunk before the next holder is tried. */
  peerTimeoutMs?: number;
  /**
   * The least time the first holder has for a chunk before the master is asked in parallel (more
   * when that holder's answers have taken longer; see ChunkFetcher.hedgeMs). Default 300 ms.
   */
  hedgeMs?: number;
  /** How long the master may take (it may itself fetch from above). */
  masterTimeoutMs?: number;
  queryTimeoutMs?: number;
  /** At most this many peers are tried for one chunk before going to the master. */
  maxPeerAttempts?: number;
  holderCache?: HolderCache;
  /** False for a source: nothing to ask and nothing to wait for. */
  hasUpstream?: boolean;
  /** Times peers' answers. Default: the system clock. */
  clock?: Clock;
  /**
   * sha256 of a chunk, as lower-case hex. Default: in the thread pool (sha256HexAsync); a run in
   * virtual time hashes on the event loop instead, since a thread-pool job ends outside its clock.
   */
  hash?: (bytes: Uint8Array) => Promise<string>;
}
