import type { PortMappingStats } from '../shared/api-types.js';
import { systemClock, type Clock, type Timer } from '../util/clock.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { natPmpFinder } from './nat-pmp-router.js';
import { localAddressToward } from './router-address.js';
import type { Router, RouterFinder, RouterLease } from './router.js';
import { upnpFinder } from './upnp-router.js';

/** Where the outside reaches this node once its router opened the port. */
export interface ExternalAddress {
  host: string;
  port: number;
}

export interface PortMappingOptions {
  /** The node's TCP port (the ROUTER's, once bound). */
  port: number;
  logger: Logger;
  /** Told each time the outside address changes: mapped (an address) or lost (null). */
  onChange: (external: ExternalAddress | null) => void;
  /** Protocols to try, in order. Default: NAT-PMP at the default gateway, then UPnP. */
  finders?: readonly RouterFinder[];
  /** Lifetime asked of the router. Default one hour; renewed at half of what the router granted. */
  lifetimeSeconds?: number;
  /** Bound on each protocol's attempt (finding the router and mapping), and on the unmap at stop. */
  timeoutMs?: number;
  /** Wait before trying again after every protocol failed or a lease was lost. Default 10 minutes. */
  retryMs?: number;
  clock?: Clock;
}

const DEFAULT_LIFETIME_SECONDS = 3_600;
const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_RETRY_MS = 10 * 60_000;

/**
 * Opens the node's port on a home router (issue 11 §3), so peers can dial a node behind a NAT: asks
 * each protocol in turn, in the background (the node's start never waits on a router), renews the
 * lease at half its lifetime, deletes it at stop, and tells the node the outside address to
 * advertise. Each failure is one log line saying which router said what; none is thrown.
 */
export class PortMapping {
  private readonly finders: readonly RouterFinder[];
  private readonly clock: Clock;
  private readonly lifetimeSeconds: number;
  private readonly timeoutMs: number;
  private readonly retryMs: number;
  private stats: PortMappingStats = { state: 'trying' };
  private router: Router | null = null;
  private lease: RouterLease | null = null;
  private timer: Timer | null = null;
  private stopped = false;
  /** Aborted by stop(): an attempt or renewal in flight ends at once, so a quit never waits on a router. */
  private readonly halting = new AbortController();
  /** The attempt or renewal in flight: stop() waits for it before it unmaps. */
  private work: Promise<void> = Promise.resolve();
  /** The last failure logged, so a retry that fails the same way is not logged again at warn. */
  private lastFailure: string | undefined;

  constructor(private readonly options: PortMappingOptions) {
    this.finders = options.finders ?? [natPmpFinder(), upnpFinder()];
    this.clock = options.clock ?? systemClock;
    this.lifetimeSeconds = options.lifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
  }

  /** Starts the first attempt and returns at once. */
  start(): void {
    this.run(() => this.attempt());
  }

  /** What `stats` shows. */
  state(): PortMappingStats {
    return { ...this.stats };
  }

  /** Settles once the attempt or renewal in flight has (for tests and stop). */
  settled(): Promise<void> {
    return this.work;
  }

  /** Cancels what is scheduled and deletes the mapping, within the time bound; never throws. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    this.halting.abort();
    await this.work;
    const { router, lease } = this;
    this.router = null;
    this.lease = null;
    if (router === null) return;
    if (lease !== null) {
      try {
        await router.unmap(this.options.port, AbortSignal.timeout(this.timeoutMs));
        this.options.logger.info(
          { router: router.gateway, protocol: router.protocol },
          `closed port ${this.options.port} on the router again`,
        );
      } catch (error) {
        this.options.logger.warn(
          { router: router.gateway, protocol: router.protocol },
          `could not close port ${this.options.port} on the router at ${router.gateway} (${router.protocol}): ${errorMessage(error)}; it closes itself when its lease runs out`,
        );
      }
    }
    await router.close();
    this.stats = { state: 'off' };
  }

  /**
   * A request's signal: its time bound, or stop(), whichever comes first. Not AbortSignal.any over
   * AbortSignal.timeout: on Node 20 the timeout signal can be collected before it fires, and the
   * attempt then waits forever (the host bed's silent router showed it).
   */
  private bounded(): AbortSignal {
    const controller = new AbortController();
    const halted = (): void => controller.abort(this.halting.signal.reason);
    const timer = this.clock.after(this.timeoutMs, () =>
      controller.abort(new DOMException(`no answer within ${this.timeoutMs} ms`, 'TimeoutError')),
    );
    this.halting.signal.addEventListener('abort', halted, { once: true });
    controller.signal.addEventListener(
      'abort',
      () => {
        timer.cancel();
        this.halting.signal.removeEventListener('abort', halted);
      },
      { once: true },
    );
    return controller.signal;
  }

  private run(step: () => Promise<void>): void {
    this.work = this.work.then(step).catch((error: unknown) => {
      // Every step catches its own failures; this is a bug's last line, never a crash.
      this.options.logger.error({ error: errorMessage(error) }, 'port mapping failed unexpectedly');
    });
  }

  private schedule(ms: number, step: () => Promise<void>): void {
    this.timer?.cancel();
    if (this.stopped) return;
    this.timer = this.clock.after(ms, () => this.run(step));
  }

  /** Tries each protocol in turn; the first lease wins. */
  private async attempt(): Promise<void> {
    this.stats = { state: 'trying' };
    const reasons: string[] = [];
    for (const finder of this.finders) {
      if (this.stopped) return;
      const signal = this.bounded();
      let router: Router | null = null;
      try {
        router = await finder.open(signal);
        const local = await localAddressToward(router.gateway);
        const lease = await router.map(this.options.port, local, this.lifetimeSeconds, signal);
        if (this.stopped) {
          // Stopped while the router answered: take the mapping back at once.
          await router.unmap(this.options.port, AbortSignal.timeout(this.timeoutMs)).catch(() => undefined);
          await router.close();
          return;
        }
        this.mapped(router, lease);
        return;
      } catch (error) {
        // Not unmapped here, even when stop() cut it short: a grant whose reply never came lapses
        // with its lease, and asking again would keep a quit waiting on a router that never answered.
        await router?.close();
        const where = router === null ? '' : ` at ${router.gateway}`;
        reasons.push(`${finder.protocol}${where}: ${errorMessage(error)}`);
      }
    }
    if (this.stopped) return;
    this.failed(reasons.join('; '));
  }

  private mapped(router: Router, lease: RouterLease): void {
    const changed =
      this.lease?.externalHost !== lease.externalHost || this.lease.externalPort !== lease.externalPort;
    this.router = router;
    this.lease = lease;
    this.lastFailure = undefined;
    this.stats = {
      state: 'mapped',
      protocol: router.protocol,
      gateway: router.gateway,
      external: `${lease.externalHost}:${lease.externalPort}`,
      expiresAt: new Date(this.clock.now() + lease.lifetimeSeconds * 1000).toISOString(),
    };
    // Half the lifetime, as RFC 6886 §3.3 suggests: a lost renewal leaves time for another.
    this.schedule(Math.max(1, lease.lifetimeSeconds / 2) * 1000, () => this.renew());
    if (!changed) return;
    this.options.logger.info(
      { router: router.gateway, protocol: router.protocol, external: this.stats.external },
      `port ${this.options.port} opened on the router at ${router.gateway} (${router.protocol}): peers reach this node at ${this.stats.external}`,
    );
    this.options.onChange({ host: lease.externalHost, port: lease.externalPort });
  }

  private async renew(): Promise<void> {
    const router = this.router;
    if (router === null || this.stopped) return;
    try {
      const local = await localAddressToward(router.gateway);
      const lease = await router.map(this.options.port, local, this.lifetimeSeconds, this.bounded());
      if (!this.stopped) this.mapped(router, lease);
    } catch (error) {
      // Cut short by stop(), which deletes the mapping itself.
      if (this.stopped) return;
      this.router = null;
      this.lease = null;
      await router.close();
      this.failed(`renewing the lease on ${router.protocol} at ${router.gateway}: ${errorMessage(error)}`);
      this.options.onChange(null);
    }
  }

  private failed(reason: string): void {
    this.stats = { state: 'failed', reason };
    const line = `could not open port ${this.options.port} on the router (${reason}); peers cannot dial this node unless its address is reachable, trying again in ${Math.round(this.retryMs / 1000)} s`;
    if (reason === this.lastFailure) this.options.logger.debug({ reason }, line);
    else this.options.logger.warn({ reason }, line);
    this.lastFailure = reason;
    this.schedule(this.retryMs, () => this.attempt());
  }
}
