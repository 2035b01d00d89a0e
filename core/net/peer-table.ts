/**
 * What a PeerServer remembers about each connection (ZeroMQ routing id): requests in flight, the
 * node name it declared, and its counters, including invalid messages by reason. The table is
 * bounded: a peer that opens connection after connection cannot grow it without limit; the least
 * recently active idle entries are forgotten first.
 */
import type { InvalidReason } from '../protocol/problems.js';
import { TokenBucket } from './token-bucket.js';

export interface PeerCounters {
  messages: number;
  bytesIn: number;
  bytesOut: number;
  replies: number;
  overloaded: number;
  /** Requests refused because this peer sent more bytes per second than its budget. */
  rateLimited: number;
  /** Invalid messages from this peer, by reason. */
  invalid: Partial<Record<InvalidReason, number>>;
  invalidTotal: number;
}

export interface PeerSnapshot extends PeerCounters {
  peerId: string;
  declaredName: string | undefined;
  inFlight: number;
}

export class PeerState {
  inFlight = 0;
  declaredName: string | undefined;
  /** The key its routing id proves (see routing-proof.ts), or undefined: it proves none. */
  peerKey: string | undefined;
  readonly counters: PeerCounters = {
    messages: 0,
    bytesIn: 0,
    bytesOut: 0,
    replies: 0,
    overloaded: 0,
    rateLimited: 0,
    invalid: {},
    invalidTotal: 0,
  };
  readonly errorBudget: TokenBucket;
  /** Bytes this peer may send per second (PeerServerOptions.maxBytesPerSecondPerPeer). */
  readonly byteBudget: TokenBucket;

  constructor(
    readonly peerId: string,
    errorRepliesPerSecond: number,
    bytesPerSecond: number,
    now: number,
  ) {
    this.errorBudget = new TokenBucket(errorRepliesPerSecond, now);
    this.byteBudget = new TokenBucket(bytesPerSecond, now);
  }

  countInvalid(reason: InvalidReason): void {
    this.counters.invalid[reason] = (this.counters.invalid[reason] ?? 0) + 1;
    this.counters.invalidTotal += 1;
  }

  snapshot(): PeerSnapshot {
    return {
      peerId: this.peerId,
      declaredName: this.declaredName,
      inFlight: this.inFlight,
      ...this.counters,
      invalid: { ...this.counters.invalid },
    };
  }
}

export class PeerTable {
  // Map iteration order is insertion order; touching an entry re-inserts it, so the first is the stalest.
  private readonly peers = new Map<string, PeerState>();

  constructor(
    private readonly maxPeers: number,
    private readonly errorRepliesPerSecond: number,
    private readonly bytesPerSecond: number,
  ) {}

  touch(peerId: string, now: number): PeerState {
    let peer = this.peers.get(peerId);
    if (peer) {
      this.peers.delete(peerId);
    } else {
      peer = new PeerState(peerId, this.errorRepliesPerSecond, this.bytesPerSecond, now);
      this.evictIfFull();
    }
    this.peers.set(peerId, peer);
    return peer;
  }

  get(peerId: string): PeerState | undefined {
    return this.peers.get(peerId);
  }

  get size(): number {
    return this.peers.size;
  }

  all(): PeerState[] {
    return [...this.peers.values()];
  }

  private evictIfFull(): void {
    if (this.peers.size < this.maxPeers) return;
    for (const [id, peer] of this.peers) {
      if (peer.inFlight === 0) {
        this.peers.delete(id);
        return;
      }
    }
    // Every tracked peer has work in flight: forget the stalest anyway; its in-flight replies still go out.
    const first = this.peers.keys().next();
    if (first.done !== true) this.peers.delete(first.value);
  }
}
