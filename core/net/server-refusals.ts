import { encodeErrorReply } from '../protocol/codec.js';
import type { IncomingRequest } from '../protocol/messages.js';
import type { WireProblem } from '../protocol/problems.js';
import type { Logger } from '../util/logger.js';
import type { PeerState } from './peer-table.js';
import type { ReplySender } from './reply-sender.js';
import type { ServerTotals } from './server-counters.js';

/** The bounds a refusal quotes, from the PeerServer's settings. */
export interface RefusalBounds {
  maxInFlightPerPeer: number;
  overloadedRetryAfterMs: number;
  maxBytesPerSecondPerPeer: number;
}

/**
 * The replies a PeerServer sends instead of running a handler: counted, and drawn from the peer's
 * reply budget, so a flood gets enough answers to tell the sender why and no more.
 */
export class ServerRefusals {
  constructor(
    private readonly name: string,
    private readonly bounds: RefusalBounds,
    private readonly totals: ServerTotals,
    private readonly replies: ReplySender,
    private readonly log: Logger,
  ) {}

  /** A message that did not decode or validate; id 0 when its header could not be read that far. */
  invalid(routingId: Buffer, peer: PeerState, problem: WireProblem, now: number): void {
    peer.countInvalid(problem.reason);
    this.totals.invalid[problem.reason] = (this.totals.invalid[problem.reason] ?? 0) + 1;
    this.totals.invalidTotal += 1;
    this.log.debug({ peer: peer.peerId, name: peer.declaredName, reason: problem.reason }, problem.message);
    // With id 0 the peer cannot match the reply to a request, but a developer watching the wire can read why.
    this.replies.sendBudgeted(
      routingId,
      peer,
      now,
      encodeErrorReply(problem.id, problem.code, problem.message),
    );
  }

  /** OVERLOADED for a peer with too many requests in flight. */
  overloaded(routingId: Buffer, peer: PeerState, request: IncomingRequest, now: number): void {
    this.totals.overloadedReplies += 1;
    peer.counters.overloaded += 1;
    const { maxInFlightPerPeer, overloadedRetryAfterMs } = this.bounds;
    this.replies.sendBudgeted(
      routingId,
      peer,
      now,
      encodeErrorReply(
        request.id,
        'OVERLOADED',
        `${this.name} already has ${peer.inFlight} of your requests in flight (limit ${maxInFlightPerPeer}); wait for replies before sending more`,
        { retryAfterMs: overloadedRetryAfterMs },
      ),
    );
  }

  /** OVERLOADED for a peer past its bytes per second, with how long until this request would fit. */
  rateLimited(
    routingId: Buffer,
    peer: PeerState,
    request: IncomingRequest,
    bytes: number,
    now: number,
  ): void {
    this.totals.rateLimited += 1;
    peer.counters.rateLimited += 1;
    this.replies.sendBudgeted(
      routingId,
      peer,
      now,
      encodeErrorReply(
        request.id,
        'OVERLOADED',
        `${this.name} takes at most ${this.bounds.maxBytesPerSecondPerPeer} bytes per second from one connection, and this ${request.type} request (${bytes} bytes) is past it; send more slowly`,
        { retryAfterMs: peer.byteBudget.waitMs(now, bytes) },
      ),
    );
  }
}
