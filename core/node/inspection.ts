import type {
  LibraryPrefetchStats,
  LimitHits,
  NodeStats,
  PeerStat,
  PortMappingStats,
  NodeRole,
  TrustStats,
} from '../shared/api-types.js';
import type { MasterLimitHits } from './master-limits.js';
import type { PublisherTrust } from '../trust/publisher-trust.js';
import type { InventoryEntry, WireTopologyNode } from '../protocol/messages.js';
import type { ChildRegistry } from './child-registry.js';
import type { MasterLink } from './master-link.js';
import type { NodeCounters } from './node-counters.js';
import type { PeerHealth } from '../net/peer-health.js';
import type { ChunkStore } from '../store/chunk-store.js';
import type { Transport } from '../net/transport.js';
import { inventoryFrom } from './inventory.js';
import { keyFingerprint } from '../protocol/peer-key.js';
import { fitTopology } from './topology-fit.js';
import type { PeerServer } from '../net/server.js';
import type { LibraryPrefetch } from '../stream/library-prefetch.js';

export interface InspectionSources {
  name: string;
  address: string;
  store: ChunkStore;
  counters: NodeCounters;
  health: PeerHealth;
  registry: ChildRegistry;
  link: MasterLink | null;
  server: PeerServer;
  streamsActive: () => number;
  libraryPrefetch: Pick<LibraryPrefetch, 'stats'>;
  seeding: () => boolean;
  /** The master's own refusals (--max-children) and its dial-back's findings. */
  master: { limitHits: MasterLimitHits; unreachableChildren: number };
  trust: PublisherTrust;
  /** The node's port mapping on its router; absent when it maps no port. */
  portMapping?: () => PortMappingStats | undefined;
}

function trustStats(trust: PublisherTrust): TrustStats {
  const publisher = trust.swarmPublisher() ?? null;
  return {
    publisher,
    publisherFrom: trust.pinned?.from ?? (publisher === null ? null : 'own key'),
    ownKey: trust.own ?? null,
    refusedManifests: trust.refused,
    publisherMismatches: trust.mismatches,
  };
}

/** source = no master; master = has a master and at least one child; child = has a master, no children. */
export function roleOf(sources: Pick<SubtreeSources, 'link' | 'registry'>): NodeRole {
  if (!sources.link) return 'source';
  return sources.registry.children().length > 0 ? 'master' : 'child';
}

/**
 * A node's own stats: what it sends always has the fields that readers of a remote node's stats must
 * treat as optional (an older node omits them).
 */
export type LocalNodeStats = NodeStats & { libraryPrefetch: LibraryPrefetchStats; limitHits: LimitHits };

/** Every bound's hits, from the server, the master and its directory. */
function limitHitsOf(sources: InspectionSources): LimitHits {
  const server = sources.server.counters();
  const { refused } = sources.registry.directory;
  return {
    multiFrameRequests: server.invalid['bad-frames'] ?? 0,
    oversizedRequests: server.invalid['header-too-large'] ?? 0,
    ...sources.master.limitHits,
    directoryPerChild: refused.perChild,
    directoryTotal: refused.total,
    unreachableChildren: sources.master.unreachableChildren,
    overloaded: server.overloadedReplies,
    rateLimited: server.rateLimited,
    connectionsRefused: server.connectionsRefused,
  };
}

/** The counters `peerstreamer stats` and the player's stats panel show. */
export function buildStats(sources: InspectionSources): LocalNodeStats {
  const { store, counters, health, registry, link, server } = sources;
  const storeStats = store.stats();
  const upstream = link?.describe() ?? null;
  const portMapping = sources.portMapping?.();
  const relationOf = (address: string): PeerStat['relation'] => {
    if (upstream && address === upstream.address) return upstream.onSupermaster ? 'supermaster' : 'master';
    if (registry.children().some((child) => child.address === address)) return 'child';
    return 'peer';
  };
  const peers: PeerStat[] = health.all().map((peer) => ({
    name: peer.name,
    address: peer.address,
    relation: relationOf(peer.address),
    rttMs: peer.rttMs === null ? null : Math.round(peer.rttMs * 100) / 100,
    bytesUp: peer.bytesUp,
    bytesDown: peer.bytesDown,
    failures: peer.failures,
    lastSeen: peer.lastSeenAt === null ? null : new Date(peer.lastSeenAt).toISOString(),
  }));
  return {
    name: sources.name,
    role: roleOf(sources),
    address: sources.address,
    uptimeSeconds: Math.round((Date.now() - counters.startedAt) / 1000),
    seeding: sources.seeding(),
    bytesServed: counters.bytesServed,
    bytesFetched: { ...counters.bytesFetched },
    chunksFetched: { ...counters.chunksFetched },
    chunksHeld: storeStats.chunks,
    bytesHeld: storeStats.bytes,
    capacityBytes: storeStats.capacityBytes,
    streamsActive: sources.streamsActive(),
    invalidMessages: server.counters().invalidTotal + counters.corruptChunks + counters.badPosters,
    peers,
    currentMaster: upstream?.address ?? null,
    masterName: upstream?.name ?? null,
    reachable: upstream?.reachable ?? null,
    ...(portMapping !== undefined ? { portMapping } : {}),
    childCount: registry.children().length,
    libraryPrefetch: sources.libraryPrefetch.stats(),
    limitHits: limitHitsOf(sources),
    key: server.keys.publicKey,
    keyFingerprint: keyFingerprint(server.keys.publicKey),
    handshakesRefused: server.counters().handshakesRefused,
    trust: trustStats(sources.trust),
  };
}

/** What a subtree is built from: the node itself and its registered children. */
export type SubtreeSources = Pick<InspectionSources, 'name' | 'address' | 'registry'> & {
  link: Pick<MasterLink, 'ownLevel'> | null;
  store: Pick<ChunkStore, 'heldChunks'>;
};

/**
 * This node's subtree: itself, then each registered child's own subtree (asked over the wire, with a
 * short timeout; a child that does not answer is shown without its children). Cut to what a
 * `topology-ok` may carry (fitTopology), so a large tree is answered with its top and a count of the
 * rest rather than with INTERNAL; each child has already cut its own, and the counts carry up.
 */
export async function buildSubtree(
  sources: SubtreeSources,
  transport: Transport,
  depth = 0,
): Promise<WireTopologyNode> {
  const { registry, link } = sources;
  const level = link ? (link.ownLevel() ?? 1) : 0;
  const children = await Promise.all(
    registry.children().map(async (child): Promise<WireTopologyNode> => {
      // The master's directory is the authority on what each child holds, so it fills that in.
      const chunks: InventoryEntry[] = Object.entries(registry.directory.inventoryOf(child.name)).map(
        ([video, indexes]) => ({ video, indexes }),
      );
      const fallback: WireTopologyNode = {
        name: child.name,
        address: child.address,
        role: child.role,
        level: level + 1,
        chunks,
        children: [],
      };
      if (depth >= 6) return fallback;
      try {
        const { reply } = await transport.request(child.address, { type: 'topology' }, { timeoutMs: 500 });
        return { ...reply.tree, chunks };
      } catch {
        return fallback;
      }
    }),
  );
  return fitTopology({
    name: sources.name,
    address: sources.address,
    role: roleOf(sources),
    level,
    // Below the root, each node's master fills in what it holds; the root speaks for itself.
    ...(link ? {} : { chunks: inventoryFrom(sources.store.heldChunks().filter((key) => key.index >= 0)) }),
    children,
  });
}
