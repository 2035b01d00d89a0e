/**
 * Drifting up: long-lived, well-connected nodes move toward the root, and short-lived ones stay at
 * the edge (issue 11 §2; the rule and why in docs/ARCHITECTURE.md, "Old nodes drift up").
 *
 * Now and then (every `everyMs`, jittered) a node checks whether it outranks (seniority.ts: up 1.25
 * times as long, and taking as many children) its master or the youngest node at its master's
 * level (`youngestAbove`, which the master passes down from its own master), is reachable (its
 * master's dial-back said so) and seeds. If so, it registers with its master's master as one moving
 * up (`moveUp`): that master takes it into room of its own, or in place of its youngest child the
 * node outranks, which then finds a place further down as any node whose master forgot it does.
 * Refused, it stays where it is, never following that master's suggestions down. Taken, it says
 * `bye` to the master it left. Its children keep it as their master, so its whole subtree moves up
 * a level, and it plays on through the move as through a return home (the fetcher asks whichever
 * master is in use). Comparing with its master alone keeps parents older than children, but leaves
 * a young leaf high and an old subtree deep: the level's youngest is what it must beat.
 */
import type { PeerRef } from '../protocol/messages.js';
import type { Timer } from '../util/clock.js';
import type { Random } from '../util/random.js';
import type { LinkContext, Upstream } from './master-link-context.js';
import { outranks } from './seniority.js';

export interface DriftSettings {
  /** How often a node checks, on average: each wait is drawn from half to one and a half of it. Default 60 s. */
  everyMs?: number;
  /**
   * The least time after this node's master changed (a move up, a failover, a return home, its
   * first register) before it moves up: no move on a place it has not settled into. Default 120 s.
   */
  settleMs?: number;
  /** Draws the jitter, so the checks of a tree spread out (seeded in the simulator and tests). */
  random: Random;
  /** Called after each move up (a counter). */
  onMoved?: () => void;
}

/** What drifting asks of the link's MasterFinder: whether it is between places, and the new home. */
export interface DriftFinder {
  busy(): boolean;
  movedUp(place: PeerRef): void;
}

const DEFAULT_EVERY_MS = 60_000;
const DEFAULT_SETTLE_MS = 120_000;

export class DriftUp {
  private timer: Timer | null = null;
  private lastChangeAt: number;
  private readonly everyMs: number;
  private readonly settleMs: number;
  private readonly check: () => void;

  constructor(
    private readonly link: LinkContext,
    private readonly finder: DriftFinder,
    private readonly settings: DriftSettings,
  ) {
    this.lastChangeAt = link.clock.now();
    this.everyMs = settings.everyMs ?? DEFAULT_EVERY_MS;
    this.settleMs = settings.settleMs ?? DEFAULT_SETTLE_MS;
    this.check = link.whileIdle(() => this.tryMoveUp());
  }

  start(): void {
    if (this.timer === null) this.schedule();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** This node's master changed (or it lost it): it settles in before it may move again. */
  masterChanged(): void {
    this.lastChangeAt = this.link.clock.now();
  }

  private schedule(): void {
    const waitMs = this.everyMs * (0.5 + this.settings.random.next());
    this.timer = this.link.clock.after(waitMs, () => {
      if (this.link.stopped()) return;
      this.check();
      this.schedule();
    });
  }

  private async tryMoveUp(): Promise<void> {
    const { link } = this;
    const upstream = link.upstream();
    const target = upstream === null ? null : this.target(upstream);
    if (upstream === null || target === null) return;
    try {
      await link.register(target.address, false, true);
    } catch (error) {
      // Full (no room of its own), gone, or a loop: this node stays where it is.
      link.options.logger.debug(
        { master: target.address, error: error instanceof Error ? error.message : String(error) },
        "did not drift up: its master's master did not take it",
      );
      return;
    }
    const now = link.upstream();
    if (now === null || now.address !== target.address) return;
    this.finder.movedUp({ name: now.name, address: target.address });
    this.settings.onMoved?.();
    // Its place under the master it left is free at once, for a newcomer.
    await link.options.transport
      .request(upstream.address, link.bye(), { timeoutMs: 500 })
      .catch(() => undefined);
  }

  /** Its master's master, when this node outranks its master and may move now; else null. */
  private target(upstream: Upstream): PeerRef | null {
    const { link } = this;
    const { options } = link;
    const now = link.clock.now();
    if (upstream.isSupermaster || this.finder.busy()) return null;
    if (now - this.lastChangeAt < this.settleMs) return null;
    // Only a node others can reach is worth having higher up; one that does not seed serves no one.
    if (upstream.reachable !== true || !options.seeding()) return null;
    // An older master (no uptime given) is never passed.
    const own = options.standing?.();
    if (upstream.startedAt === undefined || own === undefined) return null;
    // It outranks its master, or the youngest node at its master's level: the master's master
    // takes it in the place of the youngest it outranks.
    const master = { uptimeMs: now - upstream.startedAt, maxChildren: upstream.maxChildren };
    const above = upstream.youngestAbove;
    const youngest =
      above === undefined ? undefined : { uptimeMs: now - above.startedAt, maxChildren: above.maxChildren };
    if (!outranks(own, master) && !(youngest !== undefined && outranks(own, youngest))) return null;
    // The master's own master, from the path as the master last said it (current after moves above).
    // (A path of one is the master's own address alone: it does not know its place, so no move.)
    const { path } = upstream;
    if (path.length < 2) return null;
    const address = path.at(-2)!;
    // Never below itself: not its own address (a loop the heartbeat will end), nor a child's.
    if (path.includes(options.self.address)) return null;
    const named = upstream.supermaster?.address === address ? upstream.supermaster : undefined;
    if (named !== undefined && options.isOwnChild?.(named.name)) return null;
    return { name: named?.name ?? '', address };
  }
}
