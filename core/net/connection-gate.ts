/**
 * Who may open a connection to a node's ROUTER: at most `maxConnections` open at once, and at most
 * `handshakesPerSecondPerAddress` new ones from one IP address (a second's worth at once; loopback
 * is not rated). libzmq has
 * no cap of its own, and every connection may hold up to ZMQ_RCVHWM requests of 64 KiB in libzmq.
 *
 * The decision needs the peer's IP, which zeromq.js gives nowhere but in a ZAP request's address
 * frame (its socket events name the listening endpoint, and message properties such as Peer-Address
 * are not exposed). So this is a policy a ZAP handler calls (`admit`) while the handshake is held,
 * kept apart from any one handler: the CURVE handler decides on keys, then asks this. The count of
 * open connections comes from the ROUTER's own events (`watch`), since a ZAP handler never hears
 * of a disconnect; for the same reason there is no per-IP count of open connections, only a rate.
 */
import type * as zmq from 'zeromq';
import { TokenBucket } from './token-bucket.js';

export interface ConnectionGateOptions {
  /** Connections open at once. Default 256: 2 x the children a master takes at most, plus viewers. */
  maxConnections?: number;
  /** New connections per second from one IP address. Default 8. */
  handshakesPerSecondPerAddress?: number;
  /** Addresses whose rate is remembered; the least recently seen are forgotten. Default 4096. */
  maxTrackedAddresses?: number;
  /** Rate loopback addresses too (tests of the rate itself). Default false. */
  rateLoopback?: boolean;
}

export interface ConnectionGateCounters {
  open: number;
  /** Handshakes refused because `maxConnections` were open. */
  refusedFull: number;
  /** Handshakes refused because their address opened too many too fast. */
  refusedRate: number;
}

export const DEFAULT_CONNECTION_GATE = {
  maxConnections: 256,
  handshakesPerSecondPerAddress: 8,
  maxTrackedAddresses: 4096,
  rateLoopback: false,
};

export class ConnectionGate {
  private readonly settings: Required<ConnectionGateOptions>;
  private readonly rates = new Map<string, TokenBucket>();
  readonly counters: ConnectionGateCounters = { open: 0, refusedFull: 0, refusedRate: 0 };

  constructor(options: ConnectionGateOptions = {}) {
    this.settings = { ...DEFAULT_CONNECTION_GATE, ...options };
  }

  /**
   * Whether a peer at `address` (the IP in a ZAP request) may complete its handshake: null to let it
   * in, or the reason to refuse it with (ZAP status 400 text, at most a line).
   */
  admit(address: string, now: number): string | null {
    if (this.counters.open >= this.settings.maxConnections) {
      this.counters.refusedFull += 1;
      return `this node has ${this.counters.open} connections open, as many as it takes; try again later`;
    }
    // This machine's own nodes and commands (a local swarm, the CLI, the player) all come from the
    // loopback address at once; a local user can do more harm than a handshake flood anyway.
    const rated = this.settings.rateLoopback || !isLoopbackAddress(address);
    if (rated && !this.rateOf(address, now).take(now)) {
      this.counters.refusedRate += 1;
      return `more than ${this.settings.handshakesPerSecondPerAddress} new connections per second from ${address}`;
    }
    return null;
  }

  /** Follows a ROUTER's connections as libzmq reports them, until the socket closes. */
  async watch(router: zmq.Router): Promise<void> {
    for await (const event of router.events) {
      if (event.type === 'accept') this.opened();
      else if (event.type === 'disconnect') this.closed();
    }
  }

  opened(): void {
    this.counters.open += 1;
  }

  closed(): void {
    this.counters.open = Math.max(0, this.counters.open - 1);
  }

  private rateOf(address: string, now: number): TokenBucket {
    let bucket = this.rates.get(address);
    if (bucket) {
      // Map order is insertion order: re-inserting keeps the stalest first, to be forgotten first.
      this.rates.delete(address);
    } else {
      bucket = new TokenBucket(this.settings.handshakesPerSecondPerAddress, now);
      if (this.rates.size >= this.settings.maxTrackedAddresses) {
        const stalest = this.rates.keys().next();
        if (stalest.done !== true) this.rates.delete(stalest.value);
      }
    }
    this.rates.set(address, bucket);
    return bucket;
  }
}

/** A loopback IP as the ZAP handler names it (IPv4, IPv6, or IPv4 mapped into IPv6). */
export function isLoopbackAddress(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}
