import type * as zmq from 'zeromq';
import type { Logger } from '../util/logger.js';
import type { Frame } from '../protocol/codec.js';
import { frameBytes } from './frame-bytes.js';
import type { PeerState } from './peer-table.js';
import type { ServerTotals } from './server-counters.js';

/**
 * The way out of a PeerServer's ROUTER: sends each reply and counts it. A failed send is counted
 * rather than thrown, since nobody is waiting on a reply's delivery; an unroutable one is also the
 * only sign a ROUTER gives that a peer's connection is gone, so it is passed on to the listeners.
 */
export class ReplySender {
  private readonly goneListeners = new Set<(peerId: string) => void>();

  constructor(
    private readonly router: zmq.Router,
    private readonly totals: ServerTotals,
    private readonly log: Logger,
    /** Aborted when the server closes: sends failing after that are expected, not worth a warning. */
    private readonly closing: AbortSignal,
  ) {}

  onPeerGone(listener: (peerId: string) => void): void {
    this.goneListeners.add(listener);
  }

  /**
   * Sends a reply the peer did not earn with a request we run (OVERLOADED, invalid-message errors)
   * only while its error budget lasts, so a flood costs us little time replying.
   */
  sendBudgeted(routingId: Buffer, peer: PeerState, now: number, frames: Frame[]): void {
    if (!peer.errorBudget.take(now)) {
      this.totals.throttledReplies += 1;
      return;
    }
    this.send(routingId, peer, frames, true);
  }

  send(routingId: Buffer, peer: PeerState, frames: Frame[], isError: boolean): void {
    const bytes = frameBytes(frames);
    this.router.send([routingId, ...frames]).then(
      () => {
        this.totals.bytesOut += bytes;
        this.totals.repliesSent += 1;
        if (isError) this.totals.errorRepliesSent += 1;
        peer.counters.bytesOut += bytes;
        peer.counters.replies += 1;
      },
      (error: unknown) => {
        const code = (error as { code?: string }).code;
        if (code === 'EHOSTUNREACH') {
          this.totals.unroutable += 1;
          for (const listener of this.goneListeners) this.notifyGone(listener, peer.peerId);
        } else if (code === 'EAGAIN') this.totals.sendDropped += 1;
        else if (!this.closing.aborted) this.log.warn({ err: error, peer: peer.peerId }, 'reply not sent');
        else return;
        this.log.debug({ peer: peer.peerId, code }, 'reply dropped');
      },
    );
  }

  private notifyGone(listener: (peerId: string) => void, peerId: string): void {
    try {
      listener(peerId);
    } catch (error) {
      this.log.error({ err: error, peer: peerId }, 'peer-gone listener failed');
    }
  }
}
