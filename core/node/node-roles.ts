/**
 * The roles every node runs, wired together in one place: master duties (ChildRegistry,
 * MasterService), the link to its own master (MasterLink), fetching (ChunkFetcher), streams
 * (StreamSessions) and serving (ServingService). PeerNode runs them over ZeroMQ and a ChunkStore;
 * the simulator's VirtualSwarm over the in-memory network and MemoryChunkStores. One wiring, so
 * what the simulator shows is what nodes do.
 */
import type { RequestRouter } from '../net/handlers.js';
import type { PeerHealth } from '../net/peer-health.js';
import type { Transport } from '../net/transport.js';
import type { CapacityHints, PeerRef } from '../protocol/messages.js';
import type { ChunkPinning, ChunkStorage } from '../store/chunk-storage.js';
import type { ReadAheadPolicy } from '../shared/read-ahead-policy.js';
import type { InventorySource } from '../store/inventory-source.js';
import { ChunkFetcher } from '../stream/chunk-fetcher.js';
import { probeChunk } from '../stream/chunk-probe.js';
import { segmentRef } from '../shared/segments.js';
import type { UpstreamView } from '../stream/upstream-view.js';
import { HolderCache } from '../stream/holder-cache.js';
import { systemClock, type Clock } from '../util/clock.js';
import { systemRandom, type Random } from '../util/random.js';
import { sha256HexAsync } from '../util/hash.js';
import type { PeerStreamerError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { ChildRegistry } from './child-registry.js';
import { LiveRelay } from './live-relay.js';
import { LiveViewers } from './live-viewers.js';
import { MasterLink } from './master-link.js';
import { MasterService } from './master-service.js';
import type { NodeCounters } from './node-counters.js';
import { ServingService } from './serving-service.js';
import { StreamSessions } from './stream-sessions.js';
import { SuspectChecks } from './suspect-checks.js';
import type { SwarmLibrary } from './swarm-library.js';
import type { UploadLimiter } from './upload-limiter.js';
import type { PublisherTrust } from '../trust/publisher-trust.js';
import { storedManifestDigest } from '../trust/manifest-digests.js';
import type { LiveManifest } from '../shared/manifest.js';

/** How long a master that lied has to serve a good chunk before a node goes back to it: a master's `get` time. */
const GOOD_CHUNK_TIMEOUT_MS = 3_000;

export interface NodeRolesOptions {
  /** This node as others reach it; read at each registration (a port may be bound only later). */
  self: PeerRef;
  /** This store's node id, sent with every message that names this node. */
  nodeId: string;
  /** The master's address; none makes a source. */
  master?: string;
  supermaster?: string;
  /** Masters to try last, in order, when neither the master nor the supermaster answers (a --join link's). */
  fallbacks?: readonly string[];
  server: RequestRouter;
  transport: Transport;
  store: ChunkStorage & ChunkPinning & InventorySource;
  health: PeerHealth;
  counters: NodeCounters;
  limiter: UploadLimiter;
  logger: Logger;
  /** The swarm's video list, asked for when needed: a node builds it from the link made here. */
  library: () => Pick<SwarmLibrary, 'list' | 'hintFromMaster'>;
  /** False while the user paused seeding. */
  seeding: () => boolean;
  /** What this node tells its master it can take, at each registration. */
  capacity: () => CapacityHints;
  /** Whose videos this node believes: checks every manifest from above, and is vouched to children. */
  trust: PublisherTrust;
  /** After registering with a master other than the one before (a failover, a return). */
  onNewMaster?: () => void;
  /** The master refused this node's name for good (see MasterLink). */
  onFatal?: (error: PeerStreamerError) => void;
  /** How far a stream reads ahead of its position, and its fetches in flight. */
  readAhead: ReadAheadPolicy;
  streamIdleMs?: number;
  deadChildAfterMs?: number;
  /** The most children this node takes before it sends newcomers to its children (see MasterService). */
  maxChildren?: number;
  /** Live children one address may have here (see ChildrenPerAddress); undefined: no limit. */
  maxChildrenPerAddress?: number;
  heartbeatMs?: number;
  peerTimeoutMs?: number;
  /**
   * Chunks whose holders the fetcher keeps answers for (HolderCache). lru-cache sets aside room for
   * all of them up front (about 25 bytes each), so a simulated node that plays one stream takes far
   * fewer than a real node's default. Default: HolderCache's.
   */
  holderCacheEntries?: number;
  /**
   * Move up past a younger master when its master has room (drift-up.ts): the check's period and
   * settling time (defaults 60 s and 120 s), and the jitter's randomness (default Math.random).
   * Absent: never (the role tests' default); PeerNode and the simulator turn it on.
   */
  drift?: { everyMs?: number; settleMs?: number; random?: Random };
  /** Time for every role. Default: the system clock. */
  clock?: Clock;
  /** How chunk bytes are hashed. Default: sha256 off the main thread. */
  hash?: (bytes: Uint8Array) => Promise<string>;
  /** This node's copy of a live stream grew from an announcement (see LiveRelayOptions.onStored). */
  onLiveStored?: (manifest: LiveManifest) => void;
}

export interface NodeRoles {
  registry: ChildRegistry;
  masterService: MasterService;
  /** Null on a source. Not started: the node starts it once others can reach it. */
  link: MasterLink | null;
  fetcher: ChunkFetcher;
  sessions: StreamSessions;
  /** Who watches which live stream, in this node's subtree and (as the source says) in the tree. */
  liveViewers: LiveViewers;
  /** Live streams' new chunks, announced down the tree (from here, or passed on from the master). */
  liveRelay: LiveRelay;
}

/** For a source, which has no master: nothing to wait for or fail over from. */
export const NO_UPSTREAM: UpstreamView = {
  current: () => null,
  masterFailed: () => undefined,
  waitForMaster: () => Promise.resolve(null),
};

export function wireNodeRoles(options: NodeRolesOptions): NodeRoles {
  const { self, server, transport, store, health, counters, logger, clock } = options;
  const now = clock === undefined ? undefined : (): number => clock.now();
  // Which content this node holds under a video's name: sent with its inventory and its queries,
  // and matched against by its master duties (see ChunkDirectory).
  const digestOf = (video: string): string | undefined => storedManifestDigest(store, video);
  const registry = new ChildRegistry(health, {
    deadAfterMs: options.deadChildAfterMs ?? 2_500,
    ...(now ? { now } : {}),
  });
  const liveViewers = new LiveViewers({
    clock: clock ?? systemClock,
    isChild: (name) => registry.child(name) !== undefined,
    // A child heartbeats once per heartbeatMs: its counts stand for a few of those.
    childReportTtlMs: Math.max(5_000, 3 * (options.heartbeatMs ?? 1_000)),
  });
  const link =
    options.master === undefined
      ? null
      : new MasterLink({
          self,
          nodeId: options.nodeId,
          master: options.master,
          ...(options.supermaster !== undefined ? { supermaster: options.supermaster } : {}),
          ...(options.fallbacks !== undefined ? { fallbacks: options.fallbacks } : {}),
          role: () => (registry.count > 0 ? 'master' : 'child'),
          health,
          ...(options.onFatal ? { onFatal: options.onFatal } : {}),
          transport,
          store,
          digestOf,
          logger,
          capacity: options.capacity,
          room: (): number | undefined => masterService.room(),
          levelsToRoom: (): number | undefined => masterService.levelsToRoom(),
          roomAt: () => masterService.roomAt(),
          roomAtRoom: () => masterService.roomAtRoom(),
          standing: () => masterService.standing(),
          isOwnChild: (name) => registry.child(name) !== undefined,
          liveViewers: () => liveViewers.forMaster(),
          seeding: options.seeding,
          onMasterPublisher: (master, publisher) => options.trust.learnFromMaster(publisher, master),
          onLiveStreams: (master, streams) => liveRelay.fromHeartbeat(master, streams),
          servesGoodChunk: (address) =>
            servesGoodChunk(address, {
              store,
              transport,
              selfName: self.name,
              hash: options.hash ?? sha256HexAsync,
            }),
          ...(options.onNewMaster ? { onNewMaster: options.onNewMaster } : {}),
          ...(clock ? { clock } : {}),
          ...(options.heartbeatMs !== undefined
            ? { heartbeatMs: options.heartbeatMs, returnProbeMs: options.heartbeatMs }
            : {}),
          ...(options.drift
            ? {
                drift: {
                  ...options.drift,
                  random: options.drift.random ?? systemRandom,
                  onMoved: () => (counters.movesUp += 1),
                },
              }
            : {}),
        });
  const masterService: MasterService = new MasterService({
    server,
    registry,
    health,
    logger,
    selfName: self.name,
    level: () => (link ? (link.ownLevel() ?? 1) : 0),
    supermasterForChildren: () => {
      const upstream = link?.describe();
      return upstream ? { name: upstream.name, address: upstream.address } : undefined;
    },
    pathAbove: () => (link ? link.pathAbove() : []),
    youngestAtOwnLevel: () => link?.youngestAtOwnLevel(),
    selfAddress: () => self.address,
    swarmPublisher: () => options.trust.swarmPublisher(),
    ownDigest: digestOf,
    transport,
    ...(options.maxChildren !== undefined ? { maxChildren: options.maxChildren } : {}),
    ...(options.maxChildrenPerAddress !== undefined
      ? { maxChildrenPerAddress: options.maxChildrenPerAddress }
      : {}),
    ...(clock ? { clock } : {}),
    onSuspects: (reporter, suspects) => suspectChecks.check(reporter, suspects),
    onLiveViewers: (child, counts) => liveViewers.childReported(child, counts),
    liveStreams: () => liveRelay.standing(),
  });
  const fetcher = new ChunkFetcher({
    selfName: self.name,
    selfAddress: () => self.address,
    ...(options.peerTimeoutMs !== undefined ? { peerTimeoutMs: options.peerTimeoutMs } : {}),
    store,
    manifestDigestOf: digestOf,
    manifestTrust: options.trust,
    transport,
    upstream: link ?? NO_UPSTREAM,
    hasUpstream: link !== null,
    health,
    counters,
    logger,
    holderCache: new HolderCache({
      ...(now ? { now } : {}),
      ...(options.holderCacheEntries !== undefined ? { maxEntries: options.holderCacheEntries } : {}),
    }),
    ...(clock ? { clock } : {}),
    ...(options.hash ? { hash: options.hash } : {}),
  });
  const suspectChecks = new SuspectChecks({
    registry,
    health,
    transport,
    clock: clock ?? systemClock,
    logger,
    selfName: self.name,
    manifestOf: (video) => fetcher.manifest(video),
    digestOf,
    hash: options.hash ?? sha256HexAsync,
  });
  // A sibling this node bans is named to its master, which checks it before it stops listing it.
  // Its own children are not: it checks those itself (SuspectChecks), and its master does not list them.
  if (link !== null) {
    health.onOffended((peer) => {
      if (registry.child(peer.name) === undefined) link.suspect(peer.name);
    });
  }
  const sessions = new StreamSessions(fetcher, store, {
    readAhead: options.readAhead,
    ...(options.streamIdleMs !== undefined ? { idleMs: options.streamIdleMs } : {}),
    ...(clock ? { clock } : {}),
  });
  // A reply that cannot be routed means the requester's connection is gone: so is its stream.
  server.onPeerGone((peerId) => sessions.closePeer(peerId, 'the client disconnected'));
  const library = options.library;
  new ServingService({
    library: {
      list: (...args) => library().list(...args),
      hintFromMaster: (...args) => library().hintFromMaster(...args),
    },
    server,
    store,
    fetcher,
    registry,
    sessions,
    counters,
    health,
    limiter: options.limiter,
    seeding: options.seeding,
    watched: (manifest) => liveViewers.watched(manifest),
    ...(clock ? { clock } : {}),
  });
  const liveRelay = new LiveRelay({
    selfName: self.name,
    server,
    transport,
    store,
    upstream: link,
    trust: options.trust,
    children: () => registry.children(),
    viewers: liveViewers,
    ...(options.onLiveStored ? { onStored: options.onLiveStored } : {}),
    logger,
  });
  return { registry, masterService, link, fetcher, sessions, liveViewers, liveRelay };
}

/**
 * Whether a master answers with a chunk's right bytes: one this node holds, asked with
 * `fetchUpstream` as a child's stream would, judged by the manifest. A node holding nothing has
 * nothing to judge by, and takes the master back.
 */
async function servesGoodChunk(
  address: string,
  {
    store,
    transport,
    selfName,
    hash,
  }: {
    store: ChunkStorage & InventorySource;
    transport: Transport;
    selfName: string;
    hash: (bytes: Uint8Array) => Promise<string>;
  },
): Promise<boolean> {
  const [held] = store.heldChunks();
  if (held === undefined) return true;
  const manifest = store.getManifest(held.video);
  const expected = manifest === undefined ? undefined : segmentRef(manifest, held.index);
  if (expected === undefined) return true;
  const verdict = await probeChunk(transport, address, {
    video: held.video,
    index: held.index,
    expected,
    fetchUpstream: true,
    name: selfName,
    timeoutMs: GOOD_CHUNK_TIMEOUT_MS,
    hash,
  });
  return verdict.kind === 'good';
}
