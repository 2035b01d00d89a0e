import type { LiveStreamStanding } from '../protocol/messages.js';
import type { PeerContext, RequestRouter } from '../net/handlers.js';
import {
  refOfChild,
  sweepNeeded,
  type ChildRegistry,
  type ChildState,
  type RegisterChild,
} from './child-registry.js';
import type { Transport } from '../net/transport.js';
import type { PeerHealth } from '../net/peer-health.js';
import type { Logger } from '../util/logger.js';
import type { NodeStanding, PeerRef } from '../protocol/messages.js';
import { PeerStreamerError } from '../util/errors.js';
import { systemClock, type Clock } from '../util/clock.js';
import { Ticker } from '../util/timers-with-work.js';
import { MAX_CHILDREN_LIMIT, MAX_TOPOLOGY_DEPTH, MAX_TRY_INSTEAD } from '../protocol/limits.js';
import { DialBack } from './dial-back.js';
import { addressFull, hardMaxChildren, masterFull, type MasterLimitHits } from './master-limits.js';
import { ChildrenPerAddress } from './children-per-address.js';
import type { ChildInfo } from './chunk-directory.js';
import { outranks, type Standing } from './seniority.js';
import { standingNow, type Aged } from './master-link-context.js';

export interface MasterServiceOptions {
  server: RequestRouter;
  registry: ChildRegistry;
  /** Where a child's reported round-trip time is kept, for this node's peer table. */
  health: PeerHealth;
  logger: Logger;
  selfName: string;
  /** This node's level: 0 for the source, 1 for a level-1 node, ... */
  level: () => number;
  /** Whom this node's children should fall back on: this node's own master. */
  supermasterForChildren: () => PeerRef | undefined;
  /**
   * Addresses from the root down to this node's master (empty on a source): see RegisterOk.path.
   * Null while this node is between masters: where it is in the tree is not known then.
   */
  pathAbove: () => readonly string[] | null;
  /** Where this node is reached: the end of the path it gives its children. */
  selfAddress: () => string;
  /**
   * The youngest node at this node's own level, as its master said (undefined: not known): passed to
   * children as `youngestAbove`, so an older one may move up in that node's place (drift-up.ts).
   */
  youngestAtOwnLevel?: () => NodeStanding | undefined;
  /** The publisher this node vouches for to children that register (see PublisherTrust). */
  swarmPublisher?: () => string | undefined;
  /**
   * The digest of this node's own stored manifest of a video (undefined: none stored), which a
   * `query` without a digest is answered for (see the query handler).
   */
  ownDigest: (video: string) => string | undefined;
  /** To ask a name's holder whether it is still there (see the register handler). */
  transport: Transport;
  sweepMs?: number;
  /**
   * The most children this node takes. A newcomer past that is sent to the children with room
   * (MASTER_FULL), unless none can take it: then it is taken anyway, as a node with nowhere to go
   * helps no one, up to hardMaxChildren, past which every newcomer is refused.
   * Undefined: no limit (the simulator's and the role tests' default; a PeerNode defaults to
   * DEFAULT_MAX_CHILDREN).
   */
  maxChildren?: number;
  /**
   * Live children one address may have here (see ChildrenPerAddress): undefined, no limit (the
   * simulator's and the role tests' default; a PeerNode defaults to DEFAULT_MAX_CHILDREN_PER_ADDRESS).
   */
  maxChildrenPerAddress?: number;
  /** Count loopback addresses toward maxChildrenPerAddress (tests); off, a one-machine swarm is exempt. */
  limitLoopbackChildren?: boolean;
  /** Time for the sweep and the ping reply. Default: the system clock. */
  clock?: Clock;
  /**
   * A child's heartbeat or report gave its subtree's live viewers (undefined: none, or an older
   * node): LiveViewers.childReported.
   */
  onLiveViewers?: (child: string, counts: Readonly<Record<string, number>> | undefined) => void;
  /** Where this node's live streams stand, for its children's heartbeat and report replies. */
  liveStreams?: () => Record<string, LiveStreamStanding> | undefined;
  /** A child's report named siblings it banned (see SuspectChecks). */
  onSuspects?: (reporter: string, suspects: readonly string[]) => void;
}

/**
 * Who a message naming a child is from, for ChildRegistry (whose "node id" is the key that
 * registered a name): the key the connection proves. A connection that proves none matches no
 * registration (this value is no key), so it can neither take a name nor speak for one.
 */
const NO_KEY = '(no key)';

function keyOf(peer: PeerContext, name: string): string {
  if (peer.peerKey !== undefined) return peer.peerKey;
  throw new PeerStreamerError(
    'UNAUTHENTICATED',
    `a register for ${JSON.stringify(name)} must come over a connection that proves its node key (a PeerStreamer node's own); this one proves none.`,
  );
}

/** How long a name's holder has to answer the master's ping before it may have died. */
const HOLDER_PING_MS = 500;

/** Travels as the wire code NOT_REGISTERED (see docs/PROTOCOL.md): the child registers again. */
function notRegistered(name: string): PeerStreamerError {
  return new PeerStreamerError(
    'NOT_REGISTERED',
    `${JSON.stringify(name)} is not registered here; register first.`,
  );
}

/**
 * Travels as the wire code NAME_TAKEN (see docs/PROTOCOL.md): another live node holds the name. The
 * message is what the refused node prints, so it names the name, this master and what to do.
 * `retryAfterMs`, given when the holder did not answer a ping just now, is how long until it times
 * out unless it is heard from again: a node started under the name of one that was just killed waits
 * that long once, instead of giving up. A holder that answered is alive, and the refusal is final.
 */
function nameTaken(
  name: string,
  masterName: string,
  holder: ChildState,
  retryAfterMs: number | null,
  now: number,
): PeerStreamerError {
  const since = Math.max(0, Math.round((now - holder.registeredAt) / 1000));
  return new PeerStreamerError(
    'NAME_TAKEN',
    `the name ${JSON.stringify(name)} is already taken under master ${JSON.stringify(masterName)}: another node (at ${holder.address}, registered ${since} s ago) uses it and is alive. Pick another name for this node (--name, or Name in the desktop app's settings), or stop the other node first (the name is freed once it says goodbye or stops answering).`,
    {
      name,
      master: masterName,
      holderAddress: holder.address,
      ...(retryAfterMs === null ? {} : { retryAfterMs }),
    },
  );
}

/**
 * Master duties, which every node takes on as soon as a child registers with it: track children by
 * heartbeat, keep the chunk directory, and answer `query` with the holders a child should try.
 */
export class MasterService {
  /** Sweeps for children that stopped answering; runs only while there are children. */
  private readonly sweeper: Ticker;
  private closed = false;
  private readonly dialBack: DialBack;
  readonly limitHits: MasterLimitHits = { childrenFull: 0, childrenHardCap: 0, childrenPerAddress: 0 };
  /** Children let go for older nodes moving up (displaceFor). */
  displaced = 0;
  private readonly perAddress: ChildrenPerAddress | undefined;
  private readonly clock: Clock;
  /** When this node started, by its clock: children weigh its uptime before they drift up past it. */
  private readonly startedAt: number;

  constructor(private readonly options: MasterServiceOptions) {
    const { server, registry, logger, health } = options;
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    this.startedAt = clock.now();
    this.dialBack = new DialBack(options.transport, registry, logger);
    if (options.maxChildrenPerAddress !== undefined) {
      this.perAddress = new ChildrenPerAddress({
        limit: options.maxChildrenPerAddress,
        ...(options.limitLoopbackChildren ? { limitLoopback: true } : {}),
      });
    }
    server.handle('register', async (request, peer) => {
      this.refuseLoop(request.address);
      this.refuseCrowdedAddress(request.name, peer.peerAddress);
      this.refuseWhenFull(request);
      // The name is bound to the key that registers it, never to what the message says of itself.
      const child = { ...request, nodeId: keyOf(peer, request.name) };
      const result = registry.register(child);
      if (result.outcome === 'taken') {
        // Alive or killed a moment ago? Its heartbeats cannot tell yet; a ping to it can. Only a
        // holder that may be gone is worth waiting for (a NATed one that cannot be reached just
        // makes the asker wait once before it is refused for good).
        const answered = await this.answers(result.holder);
        const again = registry.register(child);
        if (again.outcome !== 'taken') return this.registered(request, again.outcome, peer.peerAddress);
        logger.warn(
          {
            child: request.name,
            address: request.address,
            holder: result.holder.address,
            code: 'NAME_TAKEN',
          },
          'refused a register: another live node holds that name',
        );
        throw nameTaken(
          request.name,
          options.selfName,
          again.holder,
          answered ? null : again.expiresInMs,
          clock.now(),
        );
      }
      return this.registered(request, result.outcome, peer.peerAddress);
    });
    server.handle('report', (request, peer) => {
      if (!registry.report(request.name, request.added, request.removed, peer.peerKey ?? NO_KEY, request))
        throw notRegistered(request.name);
      options.onLiveViewers?.(request.name, request.liveViewers);
      if (request.suspects !== undefined) options.onSuspects?.(request.name, request.suspects);
      // A report stands in for the child's heartbeat, so it learns what a heartbeat would.
      const path = this.pathForChildren();
      const liveStreams = options.liveStreams?.();
      return { reply: { ...(path ? { path } : {}), ...(liveStreams ? { liveStreams } : {}) } };
    });
    server.handle('query', (request) => {
      // Any peer may ask (a play client is nobody's child). Never a heartbeat: only the child's own
      // ping, report or register keeps it alive.
      // An asker without a digest is on a cold start (it asks for the holders of a video's start
      // beside its manifest, so as not to wait a round trip for one and then the other) or an older
      // node. The manifest it is about to get is this node's own: get-manifest is answered from this
      // store, a manifest fetched from above for it is stored first, and the asker checks it before
      // use. So this node's digest is the one to match, known here and now, where the asker could
      // only filter afterwards if every holder's digest travelled with the answer. With no manifest
      // here there is nothing to match: no holders, and the asker's chunks come from this node.
      const digest = request.digest ?? options.ownDigest(request.video);
      const holders = Array.from({ length: request.count }, (_, offset) =>
        digest === undefined
          ? []
          : registry
              .holders(request.video, digest, request.from + offset, request.name)
              .slice(0, 16)
              .map((holder) => this.refOf(holder)),
      );
      return {
        reply: {
          video: request.video,
          ...(digest === undefined ? {} : { digest }),
          from: request.from,
          holders,
        },
      };
    });
    server.handle('ping', (request, peer) => {
      // A ping that names a node is a child's heartbeat; an unknown name (or another node's) must
      // register (again), and learns there whether the name is free.
      if (request.name === undefined && request.liveViewers !== undefined) {
        throw new PeerStreamerError(
          'INVALID_ARGUMENT',
          "a ping with liveViewers must name its sender: only a registered child counts its subtree's viewers, on its heartbeat.",
        );
      }
      if (request.name !== undefined) {
        if (!registry.heartbeat(request.name, peer.peerKey ?? NO_KEY, request)) {
          throw notRegistered(request.name);
        }
        options.onLiveViewers?.(request.name, request.liveViewers);
        const child = registry.child(request.name)!;
        // The child measures this link on its heartbeats; the master shows that figure for it.
        if (request.rttMs !== undefined) health.reportedRtt(child.address, child.name, request.rttMs);
      }
      const time = Math.round(clock.now());
      // A child's heartbeat learns where its master is now, so a loop is seen within a beat per level.
      const path = request.name === undefined ? undefined : this.pathForChildren();
      const publisher = request.name === undefined ? undefined : options.swarmPublisher?.();
      // The child is told what its dial-back found, so it can say so to its user (never offered).
      const reachable = request.name === undefined ? undefined : registry.child(request.name)?.reachable;
      return {
        reply: {
          name: options.selfName,
          time,
          ...(path ? { path } : {}),
          ...(publisher ? { publisher } : {}),
          ...(reachable !== undefined ? { reachable } : {}),
          ...(request.name === undefined ? {} : this.standings()),
          ...(request.name === undefined ? {} : liveStreamsOf(options.liveStreams)),
        },
      };
    });
    server.handle('bye', (request, peer) => {
      if (registry.leave(request.name, peer.peerKey ?? NO_KEY))
        logger.info({ child: request.name }, 'child said goodbye');
      return { reply: {} };
    });
    this.sweeper = new Ticker(clock, options.sweepMs ?? 250, () => {
      for (const name of registry.sweep()) logger.warn({ child: name }, 'child stopped answering; dropped');
      if (!sweepNeeded(registry)) this.sweeper.stop();
    });
    registry.onRegistered(() => {
      if (!this.closed) this.sweeper.start();
    });
  }

  /**
   * A child as its siblings and newcomers are told of it: with the key it proved when it registered,
   * so they dial it at `address#key` (no key asked over UDP, and nobody on the path can pose as it).
   */
  private refOf(child: ChildInfo): PeerRef {
    const state = this.options.registry.child(child.name);
    return state !== undefined ? refOfChild(state) : { name: child.name, address: child.address };
  }

  /** This node's uptime and --max-children: what its children and its master weigh (seniority.ts). */
  standing(): Standing {
    const { maxChildren } = this.options;
    return {
      uptimeMs: Math.max(0, Math.round(this.clock.now() - this.startedAt)),
      ...(maxChildren === undefined ? {} : { maxChildren }),
    };
  }

  /**
   * What a child is told of ages: this node's own, its youngest child's (the child's level) and the
   * youngest at this node's level (see RegisterOk).
   */
  private standings(): {
    uptimeMs: number;
    maxChildren?: number;
    youngestChild?: NodeStanding;
    youngestAbove?: NodeStanding;
  } {
    const own = this.standing();
    const youngestChild = this.youngestChild();
    const youngestAbove = this.options.youngestAtOwnLevel?.();
    return {
      uptimeMs: own.uptimeMs,
      ...(own.maxChildren === undefined ? {} : { maxChildren: own.maxChildren }),
      ...(youngestChild ? { youngestChild } : {}),
      ...(youngestAbove ? { youngestAbove } : {}),
    };
  }

  /** The youngest child that gave its age. */
  private youngestChild(): NodeStanding | undefined {
    let youngest: Aged | undefined;
    for (const child of this.options.registry.children()) {
      if (child.startedAt === undefined) continue;
      if (youngest === undefined || child.startedAt > youngest.startedAt)
        youngest = { startedAt: child.startedAt, maxChildren: child.maxChildren };
    }
    return youngest === undefined ? undefined : standingNow(youngest, this.clock.now());
  }

  /** Children this node still takes: none past --max-children (undefined: no limit). */
  room(): number | undefined {
    const { maxChildren, registry } = this.options;
    return maxChildren === undefined ? undefined : Math.max(0, maxChildren - registry.count);
  }

  /** This node's place in the tree as its children see it: the path above it, then itself. */
  pathForChildren(): string[] | undefined {
    const above = this.options.pathAbove();
    if (above === null) return undefined;
    return [...above, this.options.selfAddress()].slice(-MAX_TOPOLOGY_DEPTH);
  }

  /**
   * A node above this one must not register below it: its subtree would lose the root. Failovers
   * and redirects that cross (a master falling back on what became its own child) made such loops
   * in the simulator.
   */
  private refuseLoop(address: string): void {
    if (!this.options.pathAbove()?.includes(address)) return;
    throw new PeerStreamerError(
      'WOULD_LOOP',
      `${JSON.stringify(this.options.selfName)} is below ${address} in the tree; registering there would make a loop. Register with a node that is not below this one.`,
    );
  }

  /** Children found unreachable at their address by the dial-back since start. */
  get unreachableChildren(): number {
    return this.dialBack.unreachable;
  }

  /** Where the nearest room below is while this node is full (none while it has room of its own). */
  roomAt(): PeerRef | undefined {
    return this.room() !== 0 ? undefined : this.options.registry.nearestRoom()?.place;
  }

  /** How many newcomers `roomAt` still takes, as the wire carries it (a room without a limit: the most). */
  roomAtRoom(): number | undefined {
    const open = this.room() !== 0 ? undefined : this.options.registry.nearestRoom()?.open;
    return open === undefined ? undefined : Math.min(open, MAX_CHILDREN_LIMIT);
  }

  /** Levels down to the nearest node that takes children: 0 while this one does. */
  levelsToRoom(): number | undefined {
    return this.room() !== 0 ? 0 : this.options.registry.levelsToRoomBelow();
  }

  /**
   * A newcomer to a full master is sent down the tree, not piled onto it: an overloaded master's
   * children time out on it and fail over, which moved the overload up the tree in the simulator
   * (docs/SIMULATION.md). Children already here (a register again, a seeding change) are never refused.
   * A node moving up (`moveUp`: it has a place already) takes the place of the youngest child it
   * outranks, if any, and is refused without suggestions if not: it stays where it is.
   */
  private refuseWhenFull(request: RegisterChild): void {
    const { registry } = this.options;
    const { name } = request;
    if (this.room() !== 0 || registry.child(name) !== undefined) return;
    if (request.moveUp === true) {
      if (this.displaceFor(request)) return;
      this.limitHits.childrenFull += 1;
      throw masterFull(this.options.selfName, registry.count, []);
    }
    const places = registry.placesFor(name, MAX_TRY_INSTEAD);
    const hardCap = hardMaxChildren(this.options.maxChildren ?? 0);
    // Children still in their dial-back will be places in a round trip: the newcomer asks again
    // then, rather than be taken past --max-children (a join wave by link overfilled the source:
    // 13 children of 8 at 10,000 nodes, and its egress 12.7 times the video).
    if (places.length === 0 && registry.count < hardCap) {
      const checking = registry.children().some((child) => child.seeding && child.reachable === undefined);
      if (!checking) return;
      this.limitHits.childrenFull += 1;
      throw masterFull(this.options.selfName, registry.count, []);
    }
    if (places.length === 0) {
      this.limitHits.childrenHardCap += 1;
      throw masterFull(this.options.selfName, registry.count, places);
    }
    this.limitHits.childrenFull += 1;
    this.options.logger.debug(
      { child: name, tryInstead: places.map((place) => place.name) },
      'full: sent a newcomer to a child',
    );
    throw masterFull(this.options.selfName, registry.count, places);
  }

  /**
   * Makes room for a node moving up by letting go of the youngest childless child it outranks: that
   * child hears NOT_REGISTERED at its next heartbeat and registers again, and this full node sends
   * it to room below. Never a child with children: it would take its subtree down with it, old
   * nodes too (swapping any young child made a 1,000-node tree 13 levels deep in 10 minutes, not 9;
   * docs/SIMULATION.md). Whether a child was let go.
   */
  private displaceFor(request: RegisterChild): boolean {
    if (request.uptimeMs === undefined) return false;
    const asker: Standing = { uptimeMs: request.uptimeMs, maxChildren: request.maxChildren };
    const now = this.clock.now();
    let youngest: ChildState | undefined;
    for (const child of this.options.registry.children()) {
      if (child.startedAt === undefined || !childless(child)) continue;
      if (!outranks(asker, { uptimeMs: now - child.startedAt, maxChildren: child.maxChildren })) continue;
      if (youngest === undefined || child.startedAt > youngest.startedAt!) youngest = child;
    }
    if (youngest === undefined) return false;
    this.options.registry.leave(youngest.name, youngest.nodeId);
    this.displaced += 1;
    this.options.logger.info(
      { child: youngest.name, for: request.name },
      'let a young child go for an older one moving up; it will be placed below',
    );
    return true;
  }

  /**
   * One host holding many of this node's places under many keys is sent down the tree. A child
   * already registered here (a register again) is never refused.
   */
  private refuseCrowdedAddress(name: string, address: string | undefined): void {
    const { registry } = this.options;
    if (this.perAddress === undefined || registry.child(name) !== undefined) return;
    const children = this.perAddress.crowded(address, (child) => registry.child(child) !== undefined);
    if (children === null) return;
    this.limitHits.childrenPerAddress += 1;
    const places = registry.placesFor(name, MAX_TRY_INSTEAD);
    this.options.logger.info(
      { child: name, peerAddress: address, children, tryInstead: places.map((place) => place.name) },
      'sent a newcomer elsewhere: its address has its share of children here',
    );
    throw addressFull(this.options.selfName, address!, children, places);
  }

  close(): void {
    this.closed = true;
    this.sweeper.stop();
  }

  private registered(
    request: RegisterChild,
    outcome: 'registered' | 'replaced',
    address: string | undefined,
  ) {
    const { logger, ...options } = this.options;
    this.perAddress?.record(request.name, address);
    const flapped = outcome === 'replaced';
    this.dialBack.check(request.name);
    logger.info(
      { child: request.name, address: request.address, chunks: countIndexes(request.chunks), flapped },
      flapped ? 'child registered again (its old entries were replaced)' : 'child registered',
    );
    const supermaster = options.supermasterForChildren();
    const path = this.pathForChildren();
    const publisher = options.swarmPublisher?.();
    return {
      reply: {
        masterName: options.selfName,
        level: options.level() + 1,
        ...(supermaster ? { supermaster } : {}),
        ...(path ? { path } : {}),
        ...(publisher ? { publisher } : {}),
        ...this.standings(),
      },
    };
  }

  /** Whether the node holding a name answers a ping under that name now. */
  private async answers(holder: ChildState): Promise<boolean> {
    try {
      // To its key, not only its address: only the holder itself can answer it.
      const { reply } = await this.options.transport.request(
        `${holder.address}#${holder.nodeId}`,
        { type: 'ping' },
        { timeoutMs: HOLDER_PING_MS },
      );
      return reply.name === holder.name;
    } catch {
      return false;
    }
  }
}

/**
 * Whether a child has no children, as its room says (all of its --max-children free). A child with
 * no limit gives no room, so it is never known to be childless, and never let go.
 */
function childless(child: ChildState): boolean {
  return child.maxChildren !== undefined && child.room === child.maxChildren;
}

function countIndexes(inventory: Array<{ indexes: number[] }>): number {
  return inventory.reduce((sum, entry) => sum + entry.indexes.length, 0);
}

/** The `liveStreams` field of a heartbeat reply, when this node holds any. */
function liveStreamsOf(source: (() => Record<string, LiveStreamStanding> | undefined) | undefined): {
  liveStreams?: Record<string, LiveStreamStanding>;
} {
  const liveStreams = source?.();
  return liveStreams ? { liveStreams } : {};
}
