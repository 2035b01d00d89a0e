import type { Transport } from '../net/transport.js';
import type { InventorySource } from '../store/inventory-source.js';
import type { CapacityHints, PeerRef, RegisteringRole } from '../protocol/messages.js';
import type { Logger } from '../util/logger.js';
import type { UpstreamView } from '../stream/upstream-view.js';
import type { PeerHealth } from '../net/peer-health.js';
import { PeerStreamerError, errorMessage, isPeerStreamerError } from '../util/errors.js';
import { inventoryFrom } from './inventory.js';
import { MAX_TOPOLOGY_DEPTH } from '../protocol/limits.js';
import { PendingChanges, toInventory } from './pending-changes.js';
import { Batcher, Ticker } from '../util/timers-with-work.js';
import { systemClock, type Clock, type Timer } from '../util/clock.js';

export interface MasterLinkOptions {
  self: PeerRef;
  /** This store's node id (node-identity.ts), sent with every message that names this node. */
  nodeId: string;
  master: string;
  supermaster?: string;
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
  logger: Logger;
  /** Time for heartbeats, retries and waits. Default: the system clock. */
  clock?: Clock;
  capacity: () => CapacityHints;
  /** How many more children this node takes (sent with register and heartbeats); undefined: no limit. */
  room?: () => number | undefined;
  /** Levels down to the nearest node below this one with room (0: this one); undefined: none known. */
  levelsToRoom?: () => number | undefined;
  /** Whether a node of this name is this node's own child: a full master's suggestion never to follow. */
  isOwnChild?: (name: string) => boolean;
  seeding: () => boolean;
  heartbeatMs?: number;
  /** Heartbeats missed in a row before the master counts as gone. */
  missedHeartbeats?: number;
  /** How often, while on the supermaster, to try the master again (the original tried every 100 ms). */
  returnProbeMs?: number;
  requestTimeoutMs?: number;
  /** Store changes are sent to the master in one report per this many milliseconds. */
  reportBatchMs?: number;
}

type Upstream = {
  address: string;
  name: string;
  /**
   * This node's level in the tree while attached here: its master's + 1 (1 under the source), as
   * of registration, then from each heartbeat's path.
   */
  ownLevel: number;
  isSupermaster: boolean;
  supermaster?: PeerRef;
  /**
   * Addresses from the root down to this master, as it last said (register, then each heartbeat);
   * just the master's own address while it does not know its place (it is between masters itself).
   */
  path: readonly string[];
};

/**
 * A child's tie to its master: registers (with everything already cached), sends heartbeats and
 * batched reports of chunks added and evicted, fails over to the supermaster when the master stops
 * answering, and moves back once the master registers it again.
 */
export class MasterLink implements UpstreamView {
  private upstream: Upstream | null = null;
  /**
   * The master this node belongs under: --master at first, then wherever a full master sent it
   * (MASTER_FULL), as that is where it has a place. Failover returns here.
   */
  private home: string;
  private readonly timers = new Set<Timer>();
  private readonly clock: Clock;
  private readonly connectedWaiters = new Set<() => void>();
  private readonly pending = new PendingChanges();
  private missed = 0;
  /** Set when the master failed: the next connection attempt goes to the supermaster first. */
  private failingOver = false;
  private stopped = false;
  private registering: Promise<void> | null = null;
  /**
   * The master's own master, as the master told us at registration. Used as the fallback when no
   * --supermaster was given, so failover is not limited to one configured level.
   */
  private hintedSupermaster: PeerRef | undefined;
  private lastRetryLog = 0;
  /** When this node last registered again to learn its fallback (see lacksFallback). */
  private lastHintAttempt = -Infinity;
  /**
   * Set once this node waited for a holder of its name to time out, and cleared by a registration:
   * a name still taken after that wait is another live node's, and the link gives up.
   */
  private waitedForName = false;
  /** Aborted by stop() and fatal(): waits in the link end with it. */
  private readonly halting = new AbortController();
  private readonly heartbeatMs: number;
  private readonly missedHeartbeats: number;
  private readonly returnProbeMs: number;
  private readonly requestTimeoutMs: number;
  private readonly reportBatchMs: number;
  /** Sends queued changes a batch window after the first, so a burst of chunks is one report. */
  private readonly reports: Batcher;
  /** Runs only while this node is on its supermaster, to move back home as soon as it can. */
  private readonly homeProbe: Ticker;
  private readonly onAdded = (key: { video: string; index: number }): void => this.queue(key, true);
  private readonly onRemoved = (key: { video: string; index: number }): void => this.queue(key, false);

  constructor(private readonly options: MasterLinkOptions) {
    this.heartbeatMs = options.heartbeatMs ?? 1_000;
    this.missedHeartbeats = options.missedHeartbeats ?? 2;
    this.returnProbeMs = options.returnProbeMs ?? 1_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 1_000;
    this.reportBatchMs = options.reportBatchMs ?? 200;
    this.clock = options.clock ?? systemClock;
    this.home = options.master;
    const logFailure = (error: unknown): void =>
      this.options.logger.error({ error: errorMessage(error) }, 'master link task failed');
    this.reports = new Batcher(this.clock, this.reportBatchMs, () => this.flushReports(), logFailure);
    this.homeProbe = new Ticker(
      this.clock,
      this.returnProbeMs,
      this.whileIdle(() => this.probeHome()),
    );
  }

  start(): void {
    this.options.store.on('chunk-added', this.onAdded);
    this.options.store.on('chunk-removed', this.onRemoved);
    this.timers.add(
      this.clock.every(
        this.heartbeatMs,
        this.whileIdle(() => this.heartbeat()),
      ),
    );
    void this.connect();
  }

  current(): { name: string; address: string; isSource: boolean } | null {
    const upstream = this.upstream;
    return upstream
      ? { name: upstream.name, address: upstream.address, isSource: upstream.ownLevel === 1 }
      : null;
  }

  /** The master in use and whether it is the supermaster (for stats and logs). */
  describe(): { address: string; name: string; onSupermaster: boolean; ownLevel: number } | null {
    const upstream = this.upstream;
    return upstream
      ? {
          address: upstream.address,
          name: upstream.name,
          onSupermaster: upstream.isSupermaster,
          ownLevel: upstream.ownLevel,
        }
      : null;
  }

  /** The master once this node is registered somewhere, or null after `timeoutMs`. */
  async waitForMaster(
    timeoutMs: number,
  ): Promise<{ name: string; address: string; isSource: boolean } | null> {
    if (this.upstream || this.stopped) return this.current();
    await new Promise<void>((resolve) => {
      const timer = this.clock.after(timeoutMs, done);
      function done(): void {
        timer.cancel();
        resolve();
      }
      this.connectedWaiters.add(done);
    });
    return this.current();
  }

  /** This node's level in the tree (its master's + 1), or null while unattached. */
  ownLevel(): number | null {
    return this.upstream?.ownLevel ?? null;
  }

  /** Addresses from the root down to this node's master, as the master last said; null while unattached. */
  pathAbove(): readonly string[] | null {
    return this.upstream?.path ?? null;
  }

  /** The root's address as far as this node can tell (for whole-tree topology). */
  rootAddress(): string | null {
    const upstream = this.upstream;
    if (!upstream) return null;
    if (upstream.ownLevel === 1) return upstream.address;
    if (upstream.ownLevel === 2 && upstream.supermaster) return upstream.supermaster.address;
    return upstream.address;
  }

  /**
   * Whether this node, below level 1 with no --supermaster, registered before its master had a
   * master of its own to name as the fallback: the master was still attaching. Registering again
   * (after a heartbeat, at most every HINT_RETRY_MS) learns it; until then a dead master would leave
   * this node with nowhere to go.
   */
  private lacksFallback(upstream: Upstream): boolean {
    return (
      !upstream.isSupermaster &&
      upstream.ownLevel >= 2 &&
      upstream.supermaster === undefined &&
      this.options.supermaster === undefined
    );
  }

  /**
   * Whom to fail over to: --supermaster, else the master's own master as it told us. Once a full
   * master sent this node elsewhere, the new master's master (the full one) is the nearer fallback.
   */
  private fallbackAddress(): string | undefined {
    const { supermaster } = this.options;
    if (this.home !== this.options.master) return this.hintedSupermaster?.address ?? supermaster;
    return supermaster ?? this.hintedSupermaster?.address;
  }

  masterFailed(address: string, reason: string): void {
    if (this.stopped || this.upstream?.address !== address) return;
    this.options.logger.warn({ master: address, reason }, 'master stopped answering; failing over');
    this.upstream = null;
    this.failingOver = true;
    // A master that is slow rather than dead frees this node's place at once, for someone it can serve.
    void this.options.transport.request(address, this.bye(), { timeoutMs: 500 }).catch(() => undefined);
    void this.connect();
  }

  /**
   * The master refused this node's name: nothing will fix that but another name or stopping the
   * other node, so the link stops instead of retrying, and the node is told. One clear log line.
   */
  private fatal(address: string, error: unknown): PeerStreamerError {
    const remote = isPeerStreamerError(error) ? error.context.remoteMessage : undefined;
    const reason = new PeerStreamerError(
      'NAME_TAKEN',
      `the master at ${address} refused this node: ${typeof remote === 'string' ? remote : errorMessage(error)}`,
      { master: address, name: this.options.self.name },
    );
    if (this.stopped) return reason;
    this.halt();
    this.options.logger.error({ code: 'NAME_TAKEN', master: address }, reason.message);
    this.options.onFatal?.(reason);
    return reason;
  }

  /** Tells the current master whether this node serves chunks (pause/resume seeding). */
  async announceSeeding(): Promise<void> {
    if (this.upstream)
      await this.register(this.upstream.address, this.upstream.isSupermaster).catch(() => undefined);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    const upstream = this.halt();
    if (upstream) {
      await this.options.transport
        .request(upstream.address, this.bye(), { timeoutMs: 500 })
        .catch(() => undefined);
    }
  }

  /**
   * The teardown stop() and fatal() share: no more timers, store events or waits, no master, and
   * whoever waits for one is woken (to find none). Returns the master it was attached to.
   */
  private halt(): Upstream | null {
    this.stopped = true;
    this.halting.abort();
    for (const timer of this.timers) timer.cancel();
    this.reports.stop();
    this.homeProbe.stop();
    this.options.store.off('chunk-added', this.onAdded);
    this.options.store.off('chunk-removed', this.onRemoved);
    const upstream = this.upstream;
    this.upstream = null;
    for (const wake of this.connectedWaiters) wake();
    this.connectedWaiters.clear();
    return upstream;
  }

  private bye(): { type: 'bye'; name: string; nodeId: string } {
    return { type: 'bye', name: this.options.self.name, nodeId: this.options.nodeId };
  }

  /** Registers with the master, else the supermaster, retrying until one answers. */
  private connect(): Promise<void> {
    if (!this.registering) {
      this.registering = this.connectLoop().finally(() => (this.registering = null));
    }
    return this.registering;
  }

  private async connectLoop(): Promise<void> {
    let delay = 250;
    while (!this.stopped && !this.upstream) {
      const candidates: Array<[string, boolean]> = [[this.home, false]];
      const fallback = this.fallbackAddress();
      if (fallback !== undefined) {
        if (this.failingOver) candidates.unshift([fallback, true]);
        else candidates.push([fallback, true]);
      }
      for (const [address, isSupermaster] of candidates) {
        if (this.stopped) return;
        try {
          await this.attach(address, isSupermaster);
          return;
        } catch (error) {
          if (this.stopped) return;
          this.logRetry(address, error);
        }
      }
      await this.pause(delay);
      delay = Math.min(delay * 2, 5_000);
    }
  }

  /**
   * Registers at `address`, and when that master is full (MASTER_FULL), at one of the children it
   * suggests instead, and so on down, trying the next suggestion when one cannot be reached. A node
   * placed that way takes its new master as home. Never below itself: its own children and any node
   * already tried are skipped.
   */
  private async attach(address: string, isSupermaster: boolean): Promise<void> {
    const tried = new Set<string>([this.options.self.address]);
    let queue: PeerRef[] = [{ name: '', address }];
    let lastError: unknown;
    for (let attempt = 0; attempt < MAX_PLACEMENT_ATTEMPTS && queue.length > 0; attempt++) {
      const target = queue.shift()!;
      tried.add(target.address);
      const redirected = target.address !== address;
      try {
        await this.register(target.address, redirected ? false : isSupermaster);
        if (redirected && !this.stopped) this.moveHome(target);
        return;
      } catch (error) {
        lastError = error;
        if (this.stopped) throw error;
        const places = tryInsteadOf(error).filter(
          (place) => !tried.has(place.address) && !this.options.isOwnChild?.(place.name),
        );
        // A full master's suggestions are one level further down: they replace this level's others.
        if (places.length > 0) queue = places;
      }
    }
    throw lastError;
  }

  private moveHome(place: PeerRef): void {
    if (place.address === this.home) return;
    this.options.logger.info(
      { from: this.home, master: place.address, masterName: place.name },
      'a full master sent this node to one of its children; that is its master now',
    );
    this.home = place.address;
  }

  private async register(address: string, isSupermaster: boolean): Promise<void> {
    const { self, store, role, transport, nodeId } = this.options;
    // The inventory below is read now; changes queued so far are in it, and changes from here on
    // (a chunk stored while this register is on the wire) are not, so they stay queued for a report.
    const covered = this.pending.take();
    let reply;
    try {
      ({ reply } = await transport.request(
        address,
        {
          type: 'register',
          name: self.name,
          nodeId,
          address: self.address,
          role: role(),
          seeding: this.options.seeding(),
          chunks: inventoryFrom(store.heldChunks()),
          capacity: this.options.capacity(),
          ...this.roomField(),
        },
        { timeoutMs: this.requestTimeoutMs * 2 },
      ));
    } catch (error) {
      // Not delivered: the current master (if any) still needs those changes.
      this.pending.putBack(covered);
      // A supermaster may have a child of this name of its own; that only rules it out as a fallback.
      if (remoteCodeOf(error) !== 'NAME_TAKEN' || isSupermaster) throw error;
      const expiresInMs = retryAfterOf(error);
      if (expiresInMs === undefined || this.waitedForName) throw this.fatal(address, error);
      // Perhaps this node's earlier self under another store id (a store replaced, a node killed
      // and started afresh): the master says when that registration times out unless it is alive.
      this.waitedForName = true;
      this.options.logger.warn(
        { master: address, retryAfterMs: expiresInMs },
        `the master at ${address} has another node under the name ${JSON.stringify(self.name)}; waiting ${expiresInMs} ms for it to time out, then trying once more`,
      );
      await this.pause(expiresInMs + NAME_EXPIRY_MARGIN_MS);
      if (this.stopped) return;
      return this.register(address, isSupermaster);
    }
    if (this.stopped) return;
    const previous = this.upstream;
    this.upstream = {
      address,
      name: reply.masterName,
      ownLevel: reply.level,
      isSupermaster,
      ...(reply.supermaster ? { supermaster: reply.supermaster } : {}),
      path: reply.path ?? [address],
    };
    if (!isSupermaster) this.waitedForName = false;
    if (!isSupermaster && reply.supermaster) this.hintedSupermaster = reply.supermaster;
    for (const wake of this.connectedWaiters) wake();
    this.connectedWaiters.clear();
    this.missed = 0;
    this.failingOver = false;
    if (isSupermaster) this.homeProbe.start();
    else this.homeProbe.stop();
    // Changes that came while the register was on the wire, for the master it reached.
    if (!this.pending.empty) this.reports.ask();
    if (previous?.address !== address) {
      this.options.logger.info(
        { master: address, masterName: reply.masterName, treeLevel: reply.level, supermaster: isSupermaster },
        isSupermaster ? 'registered with the supermaster' : 'registered with the master',
      );
    }
  }

  private async heartbeat(): Promise<void> {
    const upstream = this.upstream;
    if (!upstream) return;
    const { health, self, nodeId } = this.options;
    const rttMs = health.get(upstream.address)?.rttMs ?? null;
    try {
      const started = this.clock.now();
      const { reply } = await this.options.transport.request(
        upstream.address,
        {
          type: 'ping',
          name: self.name,
          nodeId,
          ...(rttMs === null ? {} : { rttMs }),
          ...this.roomField(),
        },
        { timeoutMs: this.requestTimeoutMs },
      );
      // A heartbeat is the link's round trip: a tiny message the master answers without other work.
      health.roundTrip(upstream.address, upstream.name, this.clock.now() - started);
      this.missed = 0;
      if (reply.path !== undefined && this.upstream === upstream) {
        upstream.path = reply.path;
        // The level given at registration goes stale as masters above move; the path is current.
        if (reply.path.length < MAX_TOPOLOGY_DEPTH) upstream.ownLevel = reply.path.length;
        // Moves elsewhere crossed and this node ended up below itself, cut off from the root.
        if (reply.path.includes(this.options.self.address)) {
          this.masterFailed(upstream.address, 'this node is above its master in the tree (a loop)');
          return;
        }
      }
      if (this.lacksFallback(upstream) && this.clock.now() - this.lastHintAttempt >= HINT_RETRY_MS) {
        this.lastHintAttempt = this.clock.now();
        // The master answered; a register that fails now is retried later, not counted as a miss.
        await this.register(upstream.address, false).catch(() => undefined);
      }
    } catch (error) {
      if (remoteCodeOf(error) === 'NOT_REGISTERED') {
        // The master restarted or dropped us: register again with the full inventory (and if our
        // place went to someone else meanwhile, where it sends us).
        await this.attach(upstream.address, upstream.isSupermaster).catch(() => undefined);
        return;
      }
      this.missed += 1;
      if (this.missed >= this.missedHeartbeats) this.masterFailed(upstream.address, errorMessage(error));
    }
  }

  /** While on the supermaster, keeps trying the original master and moves back when it answers. */
  private async probeHome(): Promise<void> {
    const upstream = this.upstream;
    if (!upstream?.isSupermaster || this.registering) return;
    try {
      await this.attach(this.home, false);
      await this.options.transport
        .request(upstream.address, this.bye(), { timeoutMs: 500 })
        .catch(() => undefined);
    } catch {
      // Still gone; try again next time.
    }
  }

  private queue(key: { video: string; index: number }, added: boolean): void {
    this.pending.add(key.video, key.index, added);
    this.reports.ask();
  }

  private async flushReports(): Promise<void> {
    const upstream = this.upstream;
    if (!upstream || this.pending.empty) return;
    const changes = this.pending.take();
    const added = toInventory(changes.added);
    const removed = toInventory(changes.removed);
    if (added.length === 0 && removed.length === 0) return;
    try {
      await this.options.transport.request(
        upstream.address,
        { type: 'report', name: this.options.self.name, nodeId: this.options.nodeId, added, removed },
        { timeoutMs: this.requestTimeoutMs },
      );
    } catch (error) {
      // A lost report is repaired by the next register, which sends the whole inventory.
      this.options.logger.debug({ error: errorMessage(error) }, 'report failed');
      if (remoteCodeOf(error) === 'NOT_REGISTERED') {
        await this.attach(upstream.address, upstream.isSupermaster).catch(() => undefined);
      }
    }
  }

  /** Waits `ms`, or less if the link stops meanwhile. */
  private async pause(ms: number): Promise<void> {
    await this.clock.sleep(ms, this.halting.signal);
  }

  /** A tick that does nothing while the previous one's work is still running, or once stopped. */
  private whileIdle(work: () => Promise<void>): () => void {
    let running = false;
    return () => {
      if (running || this.stopped) return;
      running = true;
      work()
        .catch((error: unknown) =>
          this.options.logger.error({ error: errorMessage(error) }, 'master link task failed'),
        )
        .finally(() => (running = false));
    };
  }

  private roomField(): { room?: number; levelsToRoom?: number } {
    const room = this.options.room?.();
    const levelsToRoom = this.options.levelsToRoom?.();
    return {
      ...(room === undefined ? {} : { room }),
      ...(levelsToRoom === undefined ? {} : { levelsToRoom }),
    };
  }

  private logRetry(address: string, error: unknown): void {
    const now = this.clock.now();
    if (now - this.lastRetryLog < 5_000) return;
    this.lastRetryLog = now;
    const code = remoteCodeOf(error);
    this.options.logger.warn(
      { master: address, error: errorMessage(error) },
      typeof code === 'string'
        ? `${address} refused to register this node (${code}); still retrying`
        : `cannot reach ${address}; still retrying (start that node, or check --master/--supermaster)`,
    );
  }
}

/** The code a peer answered with, when the failure is an error reply. */
function remoteCodeOf(error: unknown): unknown {
  return isPeerStreamerError(error) ? error.context.remoteCode : undefined;
}

/** The nodes a full master suggested (MASTER_FULL), or none. */
function tryInsteadOf(error: unknown): PeerRef[] {
  if (remoteCodeOf(error) !== 'MASTER_FULL') return [];
  const places = isPeerStreamerError(error) ? error.context.tryInstead : undefined;
  return Array.isArray(places) ? (places as PeerRef[]) : [];
}

/**
 * Registers tried in one placement, redirects included: enough to go down a deep tree and past a
 * few unreachable suggestions, not so many that a node is stuck in a loop of full masters.
 */
const MAX_PLACEMENT_ATTEMPTS = 8;

/** The reply's `retryAfterMs`, when the failure is an error reply that gave one. */
function retryAfterOf(error: unknown): number | undefined {
  const value = isPeerStreamerError(error) ? error.context.retryAfterMs : undefined;
  return typeof value === 'number' ? value : undefined;
}

/**
 * How often a node without a fallback registers again to learn one: each register carries the whole
 * inventory, so not at every heartbeat while its master is itself between masters.
 */
const HINT_RETRY_MS = 10_000;

/** Beyond the master's figure, so timers and clocks a millisecond apart do not make the retry too early. */
const NAME_EXPIRY_MARGIN_MS = 100;
