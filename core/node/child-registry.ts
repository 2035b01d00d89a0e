import { ChunkDirectory, type ChildInfo } from './chunk-directory.js';
import type { PeerHealth } from './peer-health.js';
import type { CapacityHints, InventoryEntry, NodeRole, RegisterRequest } from '../protocol/messages.js';

/**
 * A master's view of its children: who is registered, when each was last heard from, and which
 * chunks each holds. Children send heartbeats; a child silent for `deadAfterMs` is dropped by the
 * next sweep, so a dead child leaves the chunk directory within deadAfterMs + sweep interval.
 */
export interface ChildState extends ChildInfo {
  role: NodeRole;
  seeding: boolean;
  capacity: CapacityHints;
  registeredAt: number;
  lastSeenAt: number;
  /** Times this master named the child as a holder recently: a cheap load signal. */
  recentAssignments: number;
}

export interface ChildRegistryOptions {
  deadAfterMs?: number;
  now?: () => number;
}

/** What a child says of itself when it registers: exactly the fields of the `register` request. */
export type RegisterChild = RegisterRequest;

export class ChildRegistry {
  readonly directory = new ChunkDirectory();
  private readonly states = new Map<string, ChildState>();
  private readonly deadAfterMs: number;
  private readonly now: () => number;

  constructor(
    private readonly health: PeerHealth,
    options: ChildRegistryOptions = {},
  ) {
    this.deadAfterMs = options.deadAfterMs ?? 2_500;
    this.now = options.now ?? Date.now;
  }

  /** Returns true when the child was already registered (a flap: its old entries were replaced). */
  register(child: RegisterChild): boolean {
    const flapped = this.states.has(child.name);
    const now = this.now();
    this.states.set(child.name, {
      name: child.name,
      address: child.address,
      role: child.role,
      seeding: child.seeding,
      capacity: child.capacity,
      registeredAt: now,
      lastSeenAt: now,
      recentAssignments: 0,
    });
    this.directory.register({ name: child.name, address: child.address }, child.chunks);
    return flapped;
  }

  report(name: string, added: InventoryEntry[], removed: InventoryEntry[]): boolean {
    if (!this.heartbeat(name)) return false;
    return this.directory.report(name, added, removed);
  }

  /** Records that a child is alive; false when it is not registered (it should register again). */
  heartbeat(name: string): boolean {
    const state = this.states.get(name);
    if (!state) return false;
    state.lastSeenAt = this.now();
    return true;
  }

  setSeeding(name: string, seeding: boolean): void {
    const state = this.states.get(name);
    if (state) state.seeding = seeding;
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
    for (const name of dead) this.remove(name);
    // Assignments decay so the load signal reflects recent queries only.
    for (const state of this.states.values())
      state.recentAssignments = Math.floor(state.recentAssignments / 2);
    return dead;
  }

  /**
   * Holders of a chunk for a query: never the requester, never a child that stopped seeding; those
   * with spare capacity and good recent service first, recently failed ones last.
   */
  holders(video: string, index: number, requester: string): ChildInfo[] {
    const candidates = this.directory
      .holders(video, index, requester)
      .filter((holder) => this.states.get(holder.name)?.seeding !== false);
    const byHealth = this.health.rank(candidates);
    const tierOf = (holder: ChildInfo): number =>
      this.health.avoided(holder.address) ? 2 : this.health.recentlyFailed(holder.address) ? 1 : 0;
    const spare = (holder: ChildInfo): number => {
      const state = this.states.get(holder.name);
      const limit = state?.capacity.maxInFlight || 8;
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

  children(): ChildState[] {
    return [...this.states.values()];
  }
}
