import type { NodeStanding, PeerRef } from '../protocol/messages.js';
import type { Clock } from '../util/clock.js';
import type { MasterLinkOptions } from './master-link-options.js';

/** The master a link is attached to, as that master last described it. */
export type Upstream = {
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
  /** Whether this master reached this node at its address (its dial-back), as its last heartbeat said. */
  reachable?: boolean;
  /**
   * When this master started, by this node's clock (now less the `uptimeMs` it last gave); undefined
   * from an older master, which never gives it.
   */
  startedAt?: number;
  /** The master's --max-children as it last said, when it gives its uptime; undefined then: no limit. */
  maxChildren?: number;
  /** The master's youngest child (at this node's level), as it last said: passed on to this node's children. */
  youngestChild?: Aged;
  /** The youngest node at the master's level, as the master last said: one this node may take the place of. */
  youngestAbove?: Aged;
};

/** A node's start, by this node's clock, and its --max-children (undefined: no limit). */
export interface Aged {
  startedAt: number;
  maxChildren?: number | undefined;
}

/** How `node` stands at `now`, as a message gives it: its uptime (never negative) and its --max-children. */
export function standingNow(node: Aged, now: number): NodeStanding {
  return {
    uptimeMs: Math.max(0, Math.round(now - node.startedAt)),
    ...(node.maxChildren === undefined ? {} : { maxChildren: node.maxChildren }),
  };
}

/** What a master's register or heartbeat answer says of its age and its levels' youngest. */
type Standings = Pick<Upstream, 'startedAt' | 'maxChildren' | 'youngestChild' | 'youngestAbove'>;

/** Where a master's register or heartbeat answer says it stands (ages turned into start times). */
export function standingOf(
  reply: {
    uptimeMs?: number;
    maxChildren?: number;
    youngestChild?: NodeStanding;
    youngestAbove?: NodeStanding;
  },
  now: number,
): Standings {
  if (reply.uptimeMs === undefined) return {};
  const aged = (node: NodeStanding | undefined): Aged | undefined =>
    node === undefined ? undefined : { startedAt: now - node.uptimeMs, maxChildren: node.maxChildren };
  const youngestChild = aged(reply.youngestChild);
  const youngestAbove = aged(reply.youngestAbove);
  return {
    startedAt: now - reply.uptimeMs,
    ...(reply.maxChildren === undefined ? {} : { maxChildren: reply.maxChildren }),
    ...(youngestChild ? { youngestChild } : {}),
    ...(youngestAbove ? { youngestAbove } : {}),
  };
}

/**
 * What the parts of one MasterLink (its reports, its registration request, its heartbeats, its
 * search for a master) share: the options and the clock, the master in use, whether the link has
 * stopped, and the link's own steps, so no part keeps a second copy of any of them.
 */
export interface LinkContext {
  readonly options: MasterLinkOptions;
  readonly clock: Clock;
  readonly requestTimeoutMs: number;
  /** The master in use; null while unattached, and once stopped. */
  upstream(): Upstream | null;
  stopped(): boolean;
  /** Waits `ms`, or less if the link stops meanwhile. */
  pause(ms: number): Promise<void>;
  /** A tick that does nothing while the previous one's work is still running, or once stopped. */
  whileIdle(work: () => Promise<void>): () => void;
  /**
   * Registers at `address` (with the whole inventory) and makes it the master in use. `moveUp`: only
   * into room the master has of its own (a node drifting up), and a NAME_TAKEN there is no reason
   * to give up.
   */
  register(address: string, isSupermaster: boolean, moveUp?: boolean): Promise<void>;
  /** Registers at `address`, or wherever a full master there sends this node. */
  attach(address: string, isSupermaster: boolean): Promise<void>;
  masterFailed(address: string, reason: string, lied?: boolean): void;
  /** The goodbye this node sends a master it leaves, so its place is freed at once. */
  bye(): { type: 'bye'; name: string; nodeId: string };
  /**
   * The master in use answered a heartbeat or a report (which stands in for one) sent at `sentAt`,
   * saying where it is in the tree now (`path`, when it knows).
   */
  answered(upstream: Upstream, path: readonly string[] | undefined, sentAt: number): void;
}
