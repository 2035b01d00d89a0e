import type { LiveStreamStanding } from '../protocol/messages.js';
import type { Transport } from '../net/transport.js';
import type { PeerHealth } from '../net/peer-health.js';
import type { InventorySource } from '../store/inventory-source.js';
import type { CapacityHints, PeerRef, RegisteringRole } from '../protocol/messages.js';
import type { PeerStreamerError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { Clock } from '../util/clock.js';
import type { DriftSettings } from './drift-up.js';
import type { Standing } from './seniority.js';

export interface MasterLinkOptions {
  self: PeerRef;
  /** This store's node id (node-identity.ts), sent with every message that names this node. */
  nodeId: string;
  master: string;
  supermaster?: string;
  /** Masters to try last, in order, when neither the master nor the fallback above answers (a --join link's other peers). */
  fallbacks?: readonly string[];
  /** What this node is as it registers: a master once children registered with it. */
  role: () => RegisteringRole;
  /** Heartbeat round trips are recorded here: the peer table's RTT for the master. */
  health: PeerHealth;
  /**
   * The link gave up for good: the master refused this node's name (NAME_TAKEN). The link has
   * stopped; the node should stop too and say why.
   */
  onFatal?: (error: PeerStreamerError) => void;
  transport: Transport;
  /** Where the inventory comes from, and its changes: the node's store. */
  store: InventorySource;
  /**
   * The digest of the manifest this node holds a video under (undefined: none stored), sent with
   * each inventory entry, so the master offers it only to askers holding the same content.
   */
  digestOf: (video: string) => string | undefined;
  logger: Logger;
  /** Time for heartbeats, retries and waits. Default: the system clock. */
  clock?: Clock;
  capacity: () => CapacityHints;
  /** How many more children this node takes (sent with register and heartbeats); undefined: no limit. */
  room?: () => number | undefined;
  /** Where the nearest room below a full node is (see ChildRegistry.nearestRoom). */
  roomAt?: () => PeerRef | undefined;
  /** How many newcomers that room still takes (see ChildRegistry.nearestRoom). */
  roomAtRoom?: () => number | undefined;
  /** Levels down to the nearest node below this one with room (0: this one); undefined: none known. */
  levelsToRoom?: () => number | undefined;
  /**
   * Viewers of each live stream in this node's subtree (LiveViewers.forMaster), sent with every
   * heartbeat and report; undefined: none watched.
   */
  liveViewers?: () => Record<string, number> | undefined;
  /** Whether a node of this name is this node's own child: a full master's suggestion never to follow. */
  isOwnChild?: (name: string) => boolean;
  seeding: () => boolean;
  /**
   * The publisher the master in use vouches for (undefined: none yet), at each register and
   * heartbeat reply: where a node with the original flags alone learns whom to trust (core/trust).
   */
  onMasterPublisher?: (master: PeerRef, publisher: string | undefined) => void;
  /**
   * Where the master's live streams stand, on each heartbeat and report reply (absent from older
   * masters): a child whose copy is behind catches up (LiveRelay.fromHeartbeat).
   */
  onLiveStreams?: (master: PeerRef, streams: Readonly<Record<string, LiveStreamStanding>>) => void;
  /**
   * Whether the master at `address` now answers a `get` with the bytes the manifest names (true when
   * this node holds nothing to judge it by): asked before going back to a master that lied.
   */
  servesGoodChunk?: (address: string) => Promise<boolean>;
  /** Registered with a master other than the one before (the first, a failover, a return). */
  onNewMaster?: (master: PeerRef) => void;
  heartbeatMs?: number;
  /** Heartbeats missed in a row before the master counts as gone. */
  missedHeartbeats?: number;
  /** How often, while on the supermaster, to try the master again (the original tried every 100 ms). */
  returnProbeMs?: number;
  requestTimeoutMs?: number;
  /** Store changes are sent to the master in one report per this many milliseconds. */
  reportBatchMs?: number;
  /** Move up past a younger master (drift-up.ts); absent: never. */
  drift?: DriftSettings;
  /** This node's uptime and --max-children, sent with each register (see seniority.ts). */
  standing?: () => Standing;
}

/** A node's room as its register, report and heartbeats carry it. */
export interface RoomFields {
  room?: number;
  levelsToRoom?: number;
  roomAt?: PeerRef;
  roomAtRoom?: number;
}

/** This node's room as its register and every heartbeat carry it: only the figures it knows. */
export function roomFields(options: MasterLinkOptions): RoomFields {
  const room = options.room?.();
  const levelsToRoom = options.levelsToRoom?.();
  const roomAt = options.roomAt?.();
  const roomAtRoom = roomAt === undefined ? undefined : options.roomAtRoom?.();
  return {
    ...(room === undefined ? {} : { room }),
    ...(levelsToRoom === undefined ? {} : { levelsToRoom }),
    ...(roomAt === undefined ? {} : { roomAt }),
    ...(roomAtRoom === undefined ? {} : { roomAtRoom }),
  };
}

/** This node's subtree's live viewers, as its heartbeats and reports carry them: nothing when none. */
export function liveViewerFields(options: MasterLinkOptions): { liveViewers?: Record<string, number> } {
  const liveViewers = options.liveViewers?.();
  return liveViewers === undefined ? {} : { liveViewers };
}
