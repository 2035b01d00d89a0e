import { MAX_TOPOLOGY_DEPTH } from '../protocol/limits.js';
import { errorMessage } from '../util/errors.js';
import { Ticker } from '../util/timers-with-work.js';
import { standingOf, type LinkContext, type Upstream } from './master-link-context.js';
import { liveViewerFields, roomFields } from './master-link-options.js';
import { remoteCodeOf } from './master-refusals.js';

/**
 * How often a node without a fallback registers again to learn one: each register carries the whole
 * inventory, so not at every heartbeat while its master is itself between masters.
 */
const HINT_RETRY_MS = 10_000;

/**
 * A child's heartbeats to the master in use. Each one is the link's round trip (the peer table's RTT
 * for the master) and carries this node's room; the answer's path from the root keeps this node's
 * level current and shows when it ended up below itself. Heartbeats missed in a row fail the master
 * over; a master that no longer knows this node gets a register.
 *
 * A report the master answered stands in for a heartbeat (it carries the room and brings the path
 * back too), so none is sent within a heartbeat interval of one: a node that stores a chunk every
 * 2 s sent a report and two pings per chunk, and now a report and one ping.
 */
export class MasterHeartbeat {
  private missed = 0;
  /**
   * When the last heartbeat or report the master in use answered was sent: by the send time, not the
   * answer's, or a ping's own round trip would make the next tick skip the next ping.
   */
  private lastAnsweredAt = -Infinity;
  private readonly heartbeatMs: number;
  /** When this node last registered again to learn its fallback (see lacksFallback). */
  private lastHintAttempt = -Infinity;
  private readonly missedHeartbeats: number;
  private readonly ticker: Ticker;

  constructor(private readonly link: LinkContext) {
    this.missedHeartbeats = link.options.missedHeartbeats ?? 2;
    this.heartbeatMs = link.options.heartbeatMs ?? 1_000;
    this.ticker = new Ticker(
      link.clock,
      this.heartbeatMs,
      link.whileIdle(() => this.beat()),
    );
  }

  start(): void {
    this.ticker.start();
  }

  stop(): void {
    this.ticker.stop();
  }

  /** This node registered: misses counted so far were another registration's. */
  registered(): void {
    this.missed = 0;
  }

  /**
   * The master answered a heartbeat or a report sent at `sentAt`: it is alive, and this is where it
   * is now.
   */
  answered(upstream: Upstream, path: readonly string[] | undefined, sentAt: number): void {
    const { link } = this;
    if (link.upstream() !== upstream) return;
    this.missed = 0;
    this.lastAnsweredAt = Math.max(this.lastAnsweredAt, sentAt);
    if (path === undefined) return;
    upstream.path = path;
    // The level given at registration goes stale as masters above move; the path is current.
    if (path.length < MAX_TOPOLOGY_DEPTH) upstream.ownLevel = path.length;
    // Moves elsewhere crossed and this node ended up below itself, cut off from the root.
    if (path.includes(link.options.self.address)) {
      link.masterFailed(upstream.address, 'this node is above its master in the tree (a loop)');
    }
  }

  private async beat(): Promise<void> {
    const { link } = this;
    const upstream = link.upstream();
    if (!upstream) return;
    if (link.clock.now() - this.lastAnsweredAt < this.heartbeatMs) return;
    const { health, self, nodeId } = link.options;
    const rttMs = health.get(upstream.address)?.rttMs ?? null;
    try {
      const started = link.clock.now();
      const { reply } = await link.options.transport.request(
        upstream.address,
        {
          type: 'ping',
          name: self.name,
          nodeId,
          ...(rttMs === null ? {} : { rttMs }),
          ...roomFields(link.options),
          ...liveViewerFields(link.options),
        },
        { timeoutMs: link.requestTimeoutMs },
      );
      // A heartbeat is the link's round trip: a tiny message the master answers without other work.
      health.roundTrip(upstream.address, upstream.name, link.clock.now() - started);
      this.answered(upstream, reply.path, started);
      if (reply.reachable !== undefined) upstream.reachable = reply.reachable;
      const standing = standingOf(reply, link.clock.now());
      if (standing.startedAt !== undefined) {
        // What the master no longer names (its youngest child left) is not kept from before.
        delete upstream.youngestChild;
        delete upstream.youngestAbove;
        Object.assign(upstream, standing);
      }
      // A master that registered us before it had learned its swarm's publisher says it here.
      link.options.onMasterPublisher?.(upstream, reply.publisher);
      if (reply.liveStreams !== undefined) link.options.onLiveStreams?.(upstream, reply.liveStreams);
      if (link.upstream() !== upstream) return;
      if (this.lacksFallback(upstream) && link.clock.now() - this.lastHintAttempt >= HINT_RETRY_MS) {
        this.lastHintAttempt = link.clock.now();
        // The master answered; a register that fails now is retried later, not counted as a miss.
        await link.register(upstream.address, false).catch(() => undefined);
      }
    } catch (error) {
      if (remoteCodeOf(error) === 'NOT_REGISTERED') {
        // The master restarted or dropped us: register again with the full inventory (and if our
        // place went to someone else meanwhile, where it sends us).
        await link.attach(upstream.address, upstream.isSupermaster).catch(() => undefined);
        return;
      }
      this.missed += 1;
      if (this.missed >= this.missedHeartbeats) link.masterFailed(upstream.address, errorMessage(error));
    }
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
      this.link.options.supermaster === undefined
    );
  }
}
