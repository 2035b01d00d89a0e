import type { PeerRef } from '../protocol/messages.js';
import { errorMessage } from '../util/errors.js';
import { Ticker } from '../util/timers-with-work.js';
import type { LinkContext } from './master-link-context.js';
import { remoteCodeOf } from './master-refusals.js';
import { placeFrom } from './placement.js';

/** How long a node stays away from a home that lied about a chunk, at the first lie (doubled after). */
const LIAR_WAIT_MS = 10_000;
const MAX_LIAR_WAIT_MS = 10 * 60_000;

/**
 * Which master a child registers with, and getting it there: its home master (--master, or where a
 * full master placed it) and its fallback (--supermaster, else its master's own master). It tries
 * one, then the other, until one answers, the fallback first after a failover; while on the
 * fallback it keeps trying home, to move back as soon as it can.
 */
export class MasterFinder {
  /**
   * The master this node belongs under: --master at first, then wherever a full master sent it
   * (MASTER_FULL), as that is where it has a place. Failover returns here.
   */
  private home: string;
  /** Set when the master failed: the next connection attempt goes to the supermaster first. */
  private failingOver = false;
  private registering: Promise<void> | null = null;
  /**
   * The master's own master, as the master told us at registration. Used as the fallback when no
   * --supermaster was given, so failover is not limited to one configured level.
   */
  private hintedSupermaster: PeerRef | undefined;
  private lastRetryLog = 0;
  /**
   * The nodes above the master that failed, nearest first, as its path last said: where to look
   * when the master and the fallback are both gone (churn takes a master and its master together).
   */
  private ancestors: readonly string[] = [];
  /** Runs only while this node is on its supermaster, to move back home as soon as it can. */
  private readonly homeProbe: Ticker;
  /** Times home lied about a chunk, and when the home probe may try it again after the last. */
  private homeLies = 0;
  private homeTrustedAfter = -Infinity;

  constructor(private readonly link: LinkContext) {
    this.home = link.options.master;
    this.homeProbe = new Ticker(
      link.clock,
      link.options.returnProbeMs ?? 1_000,
      link.whileIdle(() => this.probeHome()),
    );
  }

  /** Registers with the master, else the supermaster, retrying until one answers. */
  connect(): Promise<void> {
    if (!this.registering) {
      this.registering = this.connectLoop().finally(() => (this.registering = null));
    }
    return this.registering;
  }

  /**
   * The master in use stopped answering: the next attempt goes to the fallback first, then up the
   * failed master's `path` (root first, the master last) toward the root.
   */
  masterFailed(path: readonly string[], liar?: string): void {
    this.failingOver = true;
    this.ancestors = path.slice(0, -1).reverse();
    if (liar !== undefined && liar === this.home) this.homeLied();
  }

  /**
   * Hysteresis: a home that answers heartbeats but lied about a chunk would take this node back at
   * the next probe and lose it again at the next chunk. It waits 10 s, doubled at each lie.
   */
  private homeLied(): void {
    this.homeLies += 1;
    const waitMs = Math.min(LIAR_WAIT_MS * 2 ** (this.homeLies - 1), MAX_LIAR_WAIT_MS);
    this.homeTrustedAfter = this.link.clock.now() + waitMs;
  }

  /**
   * This node registered at a master (`isSupermaster`: its fallback), which named its own master
   * (`masterOfMaster`). The home probe runs only while this node is away from home.
   */
  registered(isSupermaster: boolean, masterOfMaster: PeerRef | undefined): void {
    if (!isSupermaster && masterOfMaster) this.hintedSupermaster = masterOfMaster;
    this.failingOver = false;
    this.ancestors = [];
    if (isSupermaster) this.homeProbe.start();
    else this.homeProbe.stop();
  }

  stop(): void {
    this.homeProbe.stop();
  }

  /**
   * Whether this node is between places: registering, failing over, or on its fallback waiting to
   * go home. A node drifting up waits until it is settled under its own master.
   */
  busy(): boolean {
    return this.registering !== null || this.failingOver || this.homeProbe.running;
  }

  /**
   * This node drifted up to its master's master (drift-up.ts): that is its home now, so a failover
   * comes back there and the home probe never takes it down again. Its fallback is the new master's
   * master, from the register it just made.
   */
  movedUp(place: PeerRef): void {
    this.moveHome(place, "drifted up to its master's master; that is its master now");
  }

  /**
   * Registers at `address`, or wherever a full master there sends this node (placement.ts). A node
   * placed that way takes its new master as home.
   */
  async attach(address: string, isSupermaster: boolean): Promise<void> {
    const place = await placeFrom(this.link, address, isSupermaster);
    if (place && !this.link.stopped())
      this.moveHome(place, 'a full master sent this node to one of its children; that is its master now');
  }

  private async connectLoop(): Promise<void> {
    let delay = 250;
    while (!this.link.stopped() && !this.link.upstream()) {
      const fallback = this.fallbackAddress();
      const above: Array<[string, boolean]> = fallback === undefined ? [] : [[fallback, true]];
      // Further up, as a supermaster would be: each takes this node, or places it below itself.
      for (const address of this.ancestors) {
        if (address !== fallback && address !== this.home) above.push([address, true]);
      }
      // Where this node came in (its --master, or a link's first peer), when a full master there
      // placed it below: that master places it again. A node placed under one that was itself
      // between masters learnt no fallback and no path, and retried only that place, forever, once
      // it died (the simulator: a viewer never played, 10,000 nodes by link).
      const entry = this.link.options.master;
      const entries: string[] = [entry, ...(this.link.options.fallbacks ?? [])];
      // Then a --join link's further peers: other ways into the same swarm, taken only when all
      // else is silent.
      for (const address of entries) {
        if (address !== fallback && address !== this.home && !above.some(([seen]) => seen === address)) {
          above.push([address, address !== entry]);
        }
      }
      // Right after a failover the master that failed is the least likely to answer: it goes last
      // (the home probe keeps trying it once this node is placed elsewhere).
      const candidates: Array<[string, boolean]> = this.failingOver
        ? [...above, [this.home, false]]
        : [[this.home, false], ...above];
      for (const [address, isSupermaster] of candidates) {
        if (this.link.stopped()) return;
        try {
          await this.attach(address, isSupermaster);
          return;
        } catch (error) {
          if (this.link.stopped()) return;
          this.logRetry(address, error);
        }
      }
      await this.link.pause(delay);
      delay = Math.min(delay * 2, 5_000);
    }
  }

  /**
   * Whom to fail over to: --supermaster, else the master's own master as it told us. Once a full
   * master sent this node elsewhere, the new master's master (the full one) is the nearer fallback.
   */
  private fallbackAddress(): string | undefined {
    const { supermaster, master } = this.link.options;
    if (this.home !== master) return this.hintedSupermaster?.address ?? supermaster;
    return supermaster ?? this.hintedSupermaster?.address;
  }

  private moveHome(place: PeerRef, why: string): void {
    if (place.address === this.home) return;
    this.link.options.logger.info({ from: this.home, master: place.address, masterName: place.name }, why);
    this.home = place.address;
  }

  /** While on the supermaster, keeps trying the original master and moves back when it answers. */
  private async probeHome(): Promise<void> {
    const upstream = this.link.upstream();
    if (!upstream?.isSupermaster || this.registering) return;
    if (this.link.clock.now() < this.homeTrustedAfter) return;
    // A home that lied goes on answering heartbeats: it is taken back only once it serves a good
    // chunk. One that still lies (or fails, or is silent) is another lie: twice the wait.
    const judge = this.link.options.servesGoodChunk;
    if (this.homeLies > 0 && judge !== undefined && !(await judge(this.home).catch(() => false))) {
      this.homeLied();
      this.link.options.logger.info(
        { master: this.home, lies: this.homeLies },
        'the master that lied still does not serve a good chunk; staying on the supermaster',
      );
      return;
    }
    try {
      await this.attach(this.home, false);
      await this.link.options.transport
        .request(upstream.address, this.link.bye(), { timeoutMs: 500 })
        .catch(() => undefined);
    } catch {
      // Still gone; try again next time.
    }
  }

  private logRetry(address: string, error: unknown): void {
    const now = this.link.clock.now();
    if (now - this.lastRetryLog < 5_000) return;
    this.lastRetryLog = now;
    const code = remoteCodeOf(error);
    this.link.options.logger.warn(
      { master: address, error: errorMessage(error) },
      typeof code === 'string'
        ? `${address} refused to register this node (${code}); still retrying`
        : `cannot reach ${address}; still retrying (start that node, or check --master/--supermaster)`,
    );
  }
}
