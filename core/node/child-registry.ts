import { MAX_TOPOLOGY_DEPTH } from '../protocol/limits.js';
import { z85KeyProblem } from '../protocol/peer-key.js';
import type { RoomFields } from './master-link-options.js';
import { ChunkDirectory, type ChildInfo, type DirectoryLimits } from './chunk-directory.js';
import type { PeerHealth } from '../net/peer-health.js';
import type {
  CapacityHints,
  InventoryEntry,
  PeerRef,
  RegisterRequest,
  RegisteringRole,
} from '../protocol/messages.js';

/**
 * A master's view of its children: who is registered, when each was last heard from, and which
 * chunks each holds. Children send heartbeats; a child silent for `deadAfterMs` is dropped by the
 * next sweep, so a dead child leaves the chunk directory within deadAfterMs + sweep interval.
 *
 * A name belongs to one node at a time. The "node id" here is who the master knows a message to be
 * from: MasterService passes the CURVE key the connection proved (never the `nodeId` a message
 * claims). A live registration is replaced only by a register from the same key (the same node
 * restarting), and messages naming it from another key do not count for it.
 */
export interface ChildState extends ChildInfo {
  /** The node's per-store id, or undefined for a node that sent none. */
  nodeId: string | undefined;
  role: RegisteringRole;
  seeding: boolean;
  capacity: CapacityHints;
  /** How many more children it takes below it, as of its last register or heartbeat; undefined: no limit. */
  room: number | undefined;
  /** Levels below it to the nearest node with room (0: itself), as it last said; undefined: none known. */
  levelsToRoom: number | undefined;
  /** Where that room is, when it is full itself, as it last said (see RoomFields). */
  roomAt: PeerRef | undefined;
  /** How many newcomers `roomAt` can still take, as it last said; undefined: an older node. */
  roomAtRoom: number | undefined;
  registeredAt: number;
  lastSeenAt: number;
  /**
   * When it started, by this master's clock (its `uptimeMs` at registration), and its
   * --max-children: whether a node moving up outranks it (seniority.ts). Undefined from an older
   * node, which is never passed.
   */
  startedAt: number | undefined;
  maxChildren: number | undefined;
  /** Times this master named the child as a holder recently: a cheap load signal. */
  recentAssignments: number;
  /**
   * Newcomers sent to this child's room (its own, or the `roomAt` it named) since it last said how
   * much room it has: a join wave is spread over the rooms instead of all sent to the best one.
   */
  newcomersSent: number;
  /**
   * Whether the master reached it at the address it gave (DialBack): undefined while the check
   * runs. Only a reachable child is named as a holder or suggested as a place to register.
   */
  reachable: boolean | undefined;
}

export interface ChildRegistryOptions {
  deadAfterMs?: number;
  now?: () => number;
  /** Bounds of the chunk directory (default DEFAULT_DIRECTORY_LIMITS). */
  directoryLimits?: DirectoryLimits;
}

/** What a child says of itself when it registers: exactly the fields of the `register` request. */
export type RegisterChild = RegisterRequest;

/**
 * - `registered`: the name was free (or its holder had died or said goodbye).
 * - `replaced`: the same node registered again (a restart, a failover back, a seeding change); its
 *   old entries were replaced by the new inventory.
 * - `taken`: another node holds the name and is alive; nothing changed. `expiresInMs` is how long
 *   the holder stays alive without another heartbeat: a holder that was killed frees the name then.
 */
export type RegisterOutcome =
  | { outcome: 'registered' }
  | { outcome: 'replaced' }
  | { outcome: 'taken'; holder: ChildState; expiresInMs: number };

/**
 * Who may speak for a name (register over it, heartbeat, report, say goodbye): the node holding it.
 * A holder with an id yields only to the same id, since a message without one cannot prove it comes
 * from the same node. A holder without an id (an older node) yields to anyone, as before ids.
 */
function sameNode(holder: ChildState, nodeId: string | undefined): boolean {
  return holder.nodeId === undefined || holder.nodeId === nodeId;
}

/**
 * A child as others are told of it: with the key it proved when it registered (its node id, which
 * MasterService sets to that key), so they can dial it at `address#key`.
 */
export function refOfChild(state: ChildState): PeerRef {
  const key = state.nodeId;
  return key !== undefined && z85KeyProblem(key) === null
    ? { name: state.name, address: state.address, key }
    : { name: state.name, address: state.address };
}

/**
 * What a child offers a newcomer: its own room, or the room it named below it when it is full, with
 * how many newcomers that room can take beyond those already sent there since the child last said
 * (`open`; a room without a limit is endless). Undefined: it is full and knows of no room below.
 */
function offerOf(state: ChildState): { place: PeerRef; levels: number; open: number } | undefined {
  const room = state.room ?? Number.POSITIVE_INFINITY;
  if (room > 0) return { place: refOfChild(state), levels: 0, open: room - state.newcomersSent };
  if (state.roomAt === undefined || state.levelsToRoom === undefined) return undefined;
  // An older node does not say how much room its place has: one newcomer, then it is asked itself.
  const open = (state.roomAtRoom ?? 1) - state.newcomersSent;
  return { place: state.roomAt, levels: state.levelsToRoom, open };
}

/** Directory entries of dead children dropped per sweep: a few milliseconds of work at most. */
const SWEEP_ENTRY_BUDGET = 10_000;

/** Whether a sweep still has work: children to watch, or dead children's entries to drop. */
export function sweepNeeded(registry: ChildRegistry): boolean {
  return registry.count > 0 || registry.directory.collecting;
}

/** Requests in flight a holder is counted as taking at most, whatever it claims (see holders()). */
const CLAIMED_CAPACITY_CAP = 8;

export class ChildRegistry {
  readonly directory: ChunkDirectory;
  private readonly states = new Map<string, ChildState>();
  private readonly deadAfterMs: number;
  private readonly now: () => number;
  /** Called on each registration: the master's sweep runs only while it has children. */
  private readonly registeredListeners = new Set<() => void>();

  constructor(
    private readonly health: PeerHealth,
    options: ChildRegistryOptions = {},
  ) {
    this.directory = new ChunkDirectory(options.directoryLimits);
    this.deadAfterMs = options.deadAfterMs ?? 2_500;
    this.now = options.now ?? Date.now;
  }

  register(child: RegisterChild): RegisterOutcome {
    const now = this.now();
    const holder = this.states.get(child.name);
    // A holder past the dead-after bound is dead even if the sweep has not run yet.
    const holderAlive = holder !== undefined && holder.lastSeenAt >= now - this.deadAfterMs;
    if (holder && holderAlive && !sameNode(holder, child.nodeId)) {
      // Dead once strictly past the bound (see holderAlive): hence the extra millisecond.
      return { outcome: 'taken', holder, expiresInMs: holder.lastSeenAt + this.deadAfterMs - now + 1 };
    }
    this.states.set(child.name, {
      name: child.name,
      nodeId: child.nodeId,
      address: child.address,
      role: child.role,
      seeding: child.seeding,
      capacity: child.capacity,
      room: child.room,
      levelsToRoom: child.levelsToRoom,
      roomAt: child.roomAt,
      roomAtRoom: child.roomAtRoom,
      registeredAt: now,
      lastSeenAt: now,
      startedAt: child.uptimeMs === undefined ? undefined : now - child.uptimeMs,
      maxChildren: child.maxChildren,
      recentAssignments: 0,
      newcomersSent: 0,
      // The same node at the same address keeps what the master found; anything else is checked again.
      reachable: holder && holderAlive && holder.address === child.address ? holder.reachable : undefined,
    });
    this.directory.register({ name: child.name, address: child.address }, child.chunks);
    for (const listener of this.registeredListeners) listener();
    return holder && holderAlive ? { outcome: 'replaced' } : { outcome: 'registered' };
  }

  onRegistered(listener: () => void): void {
    this.registeredListeners.add(listener);
  }

  report(
    name: string,
    added: InventoryEntry[],
    removed: InventoryEntry[],
    nodeId?: string,
    places?: RoomFields,
  ): boolean {
    if (!this.heartbeat(name, nodeId, places)) return false;
    return this.directory.report(name, added, removed);
  }

  /**
   * Records that a child is alive; false when no node of that name (and id) is registered: it
   * should register again (and learns there whether the name is taken).
   */
  heartbeat(name: string, nodeId?: string, places?: RoomFields): boolean {
    const state = this.states.get(name);
    if (!state || !sameNode(state, nodeId)) return false;
    state.lastSeenAt = this.now();
    if (places) {
      state.room = places.room;
      state.levelsToRoom = places.levelsToRoom;
      state.roomAt = places.roomAt;
      state.roomAtRoom = places.roomAtRoom;
      state.newcomersSent = 0;
    }
    return true;
  }

  /**
   * The room nearest below this one, as a newcomer's next stop: a seeding, reachable child with room
   * of its own, else the room the nearest such child reported below it, with how many newcomers it
   * can still take. Room not yet promised comes first: once every room known here is promised, the
   * nearest is named with none left, and this node's master sends newcomers to this node itself,
   * which knows its children's rooms a heartbeat sooner. Undefined: none known.
   */
  nearestRoom(): { place: PeerRef; levels: number; open: number } | undefined {
    // A child that missed a heartbeat may have crashed: any other room comes first (see placesFor).
    const quiet = this.missedHeartbeat();
    let best: { rank: number; place: PeerRef; levels: number; open: number } | undefined;
    for (const state of this.states.values()) {
      if (!state.seeding || state.reachable !== true) continue;
      const offer = offerOf(state);
      if (offer === undefined) continue;
      const rank =
        offer.levels +
        (offer.open > 0 ? 0 : MAX_TOPOLOGY_DEPTH + 1) +
        (quiet(state) ? 2 * (MAX_TOPOLOGY_DEPTH + 1) : 0);
      if (best === undefined || rank < best.rank) best = { rank, ...offer };
    }
    return best && { place: best.place, levels: best.levels, open: Math.max(0, best.open) };
  }

  /** Where nearestRoom is, alone. */
  nearestRoomBelow(): PeerRef | undefined {
    return this.nearestRoom()?.place;
  }

  /**
   * Whether a child has gone half its dead-after bound unheard: it missed a heartbeat and may have
   * crashed, though it stays registered until the bound. Read once per call site, at one instant.
   */
  private missedHeartbeat(): (state: ChildState) => boolean {
    const quietSince = this.now() - this.deadAfterMs / 2;
    return (state) => state.lastSeenAt < quietSince;
  }

  /** Levels from this node down to nearestRoom: 1 + what that child reported. */
  levelsToRoomBelow(): number | undefined {
    const nearest = this.nearestRoom();
    // Capped at what the wire carries: past that, "very far" is all a master needs to know.
    return nearest === undefined ? undefined : Math.min(nearest.levels + 1, MAX_TOPOLOGY_DEPTH);
  }

  /**
   * Where a full master sends a newcomer instead (MASTER_FULL): its seeding children, never the asker.
   * Room not yet promised first; then the nearest (a child's own room, then room one level down,
   * ...; none known last); then the most room; then the ones this node hears from fastest. A full
   * child that said where the room below it is, and has not had it all promised, is replaced by
   * that place, so the newcomer gets there in one hop, not one per level.
   */
  placesFor(asker: string, limit: number): PeerRef[] {
    const candidates = [...this.states.values()].filter(
      (state) =>
        state.name !== asker &&
        state.seeding &&
        state.reachable === true &&
        !this.health.avoided(state.address),
    );
    // A child silent for half the child timeout has missed a heartbeat: perhaps it crashed, and it
    // stays listed until the timeout. Suggested first (a dead master's room looks best), it cost each
    // of its orphans a connect timeout before the next suggestion (the multi-host bed: 2 s of a 4 s
    // failover budget). It goes last, not out: a loaded child's late ping does not shrink the list.
    const quiet = this.missedHeartbeat();
    const offers = new Map(candidates.map((state) => [state, offerOf(state)]));
    const levelsOf = (state: ChildState): number => offers.get(state)?.levels ?? Number.POSITIVE_INFINITY;
    const openOf = (state: ChildState): number => offers.get(state)?.open ?? 0;
    // Room not yet promised comes first, nearest first, then the most of it: in a join wave (a link
    // shared, a master's orphans) newcomers asked before the next heartbeat would otherwise all go to
    // the same room, fill it, and be placed by it under its newest children, whose own first chunk
    // is still on its way (the simulator: the tree grew depth first, 16 levels at 100,000 nodes). The
    // sort is stable, so children alike stay in the health ranking's order.
    const ranked = this.health
      .rank(candidates)
      .sort(
        (a, b) =>
          Number(quiet(a)) - Number(quiet(b)) ||
          Number(openOf(a) <= 0) - Number(openOf(b) <= 0) ||
          Math.sign(levelsOf(a) - levelsOf(b)) ||
          Math.sign(openOf(b) - openOf(a)),
      );
    const places: PeerRef[] = [];
    for (const state of ranked) {
      if (places.length >= limit) break;
      // A room all promised is not named again: the child itself is, which places the newcomer by
      // what its own children told it, a heartbeat fresher than what it told this node.
      const offer = offers.get(state);
      const place = offer !== undefined && offer.open > 0 ? offer.place : refOfChild(state);
      // Two full children may name the same room below them: it is suggested once.
      if (places.some((other) => other.address === place.address)) continue;
      // The newcomer tries the first place first; the others only if that one fails.
      if (places.length === 0) state.newcomersSent += 1;
      places.push(place);
    }
    return places;
  }

  /** What the dial-back to `address` found, if the child there is still the one registered. */
  setReachable(name: string, address: string, reachable: boolean): void {
    const state = this.states.get(name);
    if (state?.address === address) state.reachable = reachable;
  }

  setSeeding(name: string, seeding: boolean): void {
    const state = this.states.get(name);
    if (state) state.seeding = seeding;
  }

  /** A child's goodbye: removes it, unless the name now belongs to another node. */
  leave(name: string, nodeId?: string): boolean {
    const state = this.states.get(name);
    if (!state || !sameNode(state, nodeId)) return false;
    return this.remove(name);
  }

  remove(name: string): boolean {
    this.states.delete(name);
    return this.directory.remove(name);
  }

  /** Drops children not heard from in time; returns their names. */
  sweep(): string[] {
    const cutoff = this.now() - this.deadAfterMs;
    const dead = [...this.states.values()]
      .filter((state) => state.lastSeenAt < cutoff)
      .map((state) => state.name);
    // Gone from every lookup now; their entries are dropped a bounded number per sweep.
    for (const name of dead) {
      this.states.delete(name);
      this.directory.forget(name);
    }
    this.directory.collect(SWEEP_ENTRY_BUDGET);
    // Assignments decay so the load signal reflects recent queries only.
    for (const state of this.states.values())
      state.recentAssignments = Math.floor(state.recentAssignments / 2);
    return dead;
  }

  /**
   * Holders of a chunk for a query, among the children holding it under the manifest `digest` names
   * (the asker's: a child with other content under the video's name is never offered): never the
   * requester, never a child that stopped seeding, never one this master banned (a sibling reported
   * it, and it lied to the master too: SuspectChecks); those with spare capacity and good recent
   * service first, recently failed ones last.
   */
  holders(video: string, digest: string, index: number, requester: string): ChildInfo[] {
    const candidates = this.directory.holders(video, digest, index, requester).filter((holder) => {
      const state = this.states.get(holder.name);
      return state?.seeding !== false && state?.reachable === true && !this.health.banned(holder.address);
    });
    const byHealth = this.health.rank(candidates);
    const tierOf = (holder: ChildInfo): number =>
      this.health.avoided(holder.address) ? 2 : this.health.recentlyFailed(holder.address) ? 1 : 0;
    const spare = (holder: ChildInfo): number => {
      const state = this.states.get(holder.name);
      // A child's word may lower its share, never raise it: a claim of a huge capacity must not put a
      // child first in every answer.
      const limit = Math.min(state?.capacity.maxInFlight || CLAIMED_CAPACITY_CAP, CLAIMED_CAPACITY_CAP);
      return limit - (state?.recentAssignments ?? 0);
    };
    const ranked = byHealth
      .map((holder, order) => ({ holder, order, tier: tierOf(holder), spare: spare(holder) }))
      .sort((a, b) => a.tier - b.tier || Math.sign(b.spare - a.spare) || a.order - b.order)
      .map((entry) => entry.holder);
    const first = ranked[0];
    if (first) this.states.get(first.name)!.recentAssignments += 1;
    return ranked;
  }

  child(name: string): ChildState | undefined {
    return this.states.get(name);
  }

  /** How many children are registered (those not yet swept included). */
  get count(): number {
    return this.states.size;
  }

  children(): ChildState[] {
    return [...this.states.values()];
  }
}
