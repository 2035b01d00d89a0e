import type { NodeStanding } from '../protocol/messages.js';
import type { UpstreamView } from '../stream/upstream-view.js';
import { PeerStreamerError, errorMessage, isPeerStreamerError } from '../util/errors.js';
import { systemClock, type Clock } from '../util/clock.js';
import { ChangeReporter } from './change-reporter.js';
import { MasterFinder } from './master-finder.js';
import { MasterHeartbeat } from './master-heartbeat.js';
import { DriftUp } from './drift-up.js';
import { standingNow, standingOf, type LinkContext, type Upstream } from './master-link-context.js';
import type { MasterLinkOptions } from './master-link-options.js';
import { RegistrationRequest } from './registration-request.js';
import { MAX_TOPOLOGY_DEPTH } from '../protocol/limits.js';

/**
 * A child's tie to its master: registers (with everything already cached), sends heartbeats and
 * batched reports of chunks added and evicted, fails over to the supermaster when the master stops
 * answering, and moves back once the master registers it again.
 *
 * The link holds the master in use and its own lifecycle; its parts do the rest: ChangeReporter
 * (reports), RegistrationRequest (the register and its NAME_TAKEN wait), MasterHeartbeat, and
 * MasterFinder (which master to try, placement below a full master, the way back home).
 */
export class MasterLink implements UpstreamView {
  private upstream: Upstream | null = null;
  private readonly clock: Clock;
  private readonly connectedWaiters = new Set<() => void>();
  private stopped = false;
  /** Aborted by stop() and fatal(): waits in the link end with it. */
  private readonly halting = new AbortController();
  private readonly reports: ChangeReporter;
  private readonly registration: RegistrationRequest;
  private readonly heartbeat: MasterHeartbeat;
  private readonly finder: MasterFinder;
  /** Null when the node was started without it (see MasterLinkOptions.drift). */
  private readonly drift: DriftUp | null;

  constructor(private readonly options: MasterLinkOptions) {
    this.clock = options.clock ?? systemClock;
    const context: LinkContext = {
      options,
      clock: this.clock,
      requestTimeoutMs: options.requestTimeoutMs ?? 1_000,
      upstream: () => this.upstream,
      stopped: () => this.stopped,
      pause: (ms) => this.pause(ms),
      whileIdle: (work) => this.whileIdle(work),
      register: (address, isSupermaster, moveUp) => this.register(address, isSupermaster, moveUp),
      attach: (address, isSupermaster) => this.finder.attach(address, isSupermaster),
      masterFailed: (address, reason, lied) => this.masterFailed(address, reason, lied),
      bye: () => this.bye(),
      answered: (upstream, path, sentAt) => this.heartbeat.answered(upstream, path, sentAt),
    };
    this.reports = new ChangeReporter(context);
    this.registration = new RegistrationRequest(context, this.reports, (address, error) =>
      this.fatal(address, error),
    );
    this.heartbeat = new MasterHeartbeat(context);
    this.finder = new MasterFinder(context);
    this.drift = options.drift ? new DriftUp(context, this.finder, options.drift) : null;
  }

  /** A sibling this node banned: its master is told in the next report, and checks it itself. */
  suspect(name: string): void {
    this.reports.suspect(name);
  }

  /** A video's manifest was replaced with its chunks kept: they are reported again under its new digest. */
  manifestChanged(video: string): void {
    this.reports.resend(video);
  }

  start(): void {
    this.reports.start();
    this.heartbeat.start();
    this.drift?.start();
    void this.finder.connect();
  }

  current(): { name: string; address: string; isSource: boolean } | null {
    const upstream = this.upstream;
    return upstream
      ? { name: upstream.name, address: upstream.address, isSource: upstream.ownLevel === 1 }
      : null;
  }

  /** The master in use and whether it is the supermaster (for stats and logs). */
  describe(): {
    address: string;
    name: string;
    onSupermaster: boolean;
    ownLevel: number;
    reachable: boolean | undefined;
  } | null {
    const upstream = this.upstream;
    return upstream
      ? {
          address: upstream.address,
          name: upstream.name,
          onSupermaster: upstream.isSupermaster,
          ownLevel: upstream.ownLevel,
          reachable: upstream.reachable,
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

  /**
   * The youngest node at this node's own level (its master's youngest child, which may be this
   * node), as the master last said: what this node tells its children as `youngestAbove`.
   */
  youngestAtOwnLevel(): NodeStanding | undefined {
    const youngest = this.upstream?.youngestChild;
    return youngest === undefined ? undefined : standingNow(youngest, this.clock.now());
  }

  /** Addresses from the root down to this node's master, as the master last said; null while unattached. */
  pathAbove(): readonly string[] | null {
    return this.upstream?.path ?? null;
  }

  /** The root's address as far as this node can tell (for whole-tree topology). */
  rootAddress(): string | null {
    const upstream = this.upstream;
    if (!upstream) return null;
    // A master's path starts at the root unless it was cut to its nearest MAX_TOPOLOGY_DEPTH.
    if (upstream.path.length > 1 && upstream.path.length < MAX_TOPOLOGY_DEPTH) return upstream.path[0]!;
    if (upstream.ownLevel === 1) return upstream.address;
    if (upstream.ownLevel === 2 && upstream.supermaster) return upstream.supermaster.address;
    return upstream.address;
  }

  masterFailed(address: string, reason: string, lied = false): void {
    if (this.stopped || this.upstream?.address !== address) return;
    this.options.logger.warn({ master: address, reason }, 'master stopped answering; failing over');
    const lost = this.upstream;
    this.upstream = null;
    this.drift?.masterChanged();
    this.finder.masterFailed(lost.path, lied ? address : undefined);
    // A master that is slow rather than dead frees this node's place at once, for someone it can serve.
    void this.options.transport.request(address, this.bye(), { timeoutMs: 500 }).catch(() => undefined);
    void this.finder.connect();
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

  /**
   * Registers again with the master in use, so it learns what changed in the register: whether this
   * node serves chunks (pause/resume seeding), or its address (a router opened its port), which the
   * master then dials back anew.
   */
  async registerAgain(): Promise<void> {
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
    this.heartbeat.stop();
    this.reports.stop();
    this.finder.stop();
    this.drift?.stop();
    const upstream = this.upstream;
    this.upstream = null;
    for (const wake of this.connectedWaiters) wake();
    this.connectedWaiters.clear();
    return upstream;
  }

  private bye(): { type: 'bye'; name: string; nodeId: string } {
    return { type: 'bye', name: this.options.self.name, nodeId: this.options.nodeId };
  }

  /** Registers at `address` and, once it answers, makes it the master in use. */
  private async register(address: string, isSupermaster: boolean, moveUp = false): Promise<void> {
    // The address the register carries: read as it is sent, in this same turn.
    const advertised = this.options.self.address;
    const reply = await this.registration.send(address, isSupermaster, moveUp);
    if (reply === null || this.stopped) return;
    const previous = this.upstream;
    this.upstream = {
      address,
      name: reply.masterName,
      ownLevel: reply.level,
      isSupermaster,
      ...(reply.supermaster ? { supermaster: reply.supermaster } : {}),
      path: reply.path ?? [address],
      ...standingOf(reply, this.clock.now()),
    };
    if (previous?.address !== address) this.drift?.masterChanged();
    for (const wake of this.connectedWaiters) wake();
    this.connectedWaiters.clear();
    this.heartbeat.registered();
    this.finder.registered(isSupermaster, reply.supermaster);
    this.options.onMasterPublisher?.({ name: reply.masterName, address }, reply.publisher);
    if (previous?.address !== address) this.options.onNewMaster?.({ name: reply.masterName, address });
    // Changes that came while the register was on the wire, for the master it reached.
    this.reports.sendLeftovers();
    // The address changed while the register was on the wire (a router opened the port): the master
    // must learn the new one, and dial it back, or it keeps the old one for as long as this link.
    if (this.options.self.address !== advertised) void this.registerAgain();
    if (previous?.address !== address) {
      this.options.logger.info(
        { master: address, masterName: reply.masterName, treeLevel: reply.level, supermaster: isSupermaster },
        isSupermaster ? 'registered with the supermaster' : 'registered with the master',
      );
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
}
