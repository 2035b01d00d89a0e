/**
 * What this node has seen of each peer: round-trip times, bytes each way, failures and requests in
 * flight. Used to order candidate holders (spare capacity and good recent service first, recently
 * failed last) and to drop peers that keep failing, as WebTorrent users ask of slow peers.
 */
export interface PeerRecord {
  name: string;
  address: string;
  rttMs: number | null;
  bytesUp: number;
  bytesDown: number;
  failures: number;
  consecutiveFailures: number;
  lastFailureAt: number | null;
  lastSeenAt: number | null;
  inFlight: number;
}

export interface HealthOptions {
  /** A failure within this window puts the peer behind those that have not failed. */
  recentFailureMs?: number;
  /** This many failures in a row makes a peer avoided until the window passes. */
  avoidAfterFailures?: number;
  now?: () => number;
}

const RTT_SMOOTHING = 0.3;

export class PeerHealth {
  private readonly peers = new Map<string, PeerRecord>();
  private readonly recentFailureMs: number;
  private readonly avoidAfterFailures: number;
  private readonly now: () => number;

  constructor(options: HealthOptions = {}) {
    this.recentFailureMs = options.recentFailureMs ?? 10_000;
    this.avoidAfterFailures = options.avoidAfterFailures ?? 3;
    this.now = options.now ?? Date.now;
  }

  record(address: string, name?: string): PeerRecord {
    let peer = this.peers.get(address);
    if (!peer) {
      peer = {
        name: name ?? address,
        address,
        rttMs: null,
        bytesUp: 0,
        bytesDown: 0,
        failures: 0,
        consecutiveFailures: 0,
        lastFailureAt: null,
        lastSeenAt: null,
        inFlight: 0,
      };
      this.peers.set(address, peer);
    } else if (name !== undefined) {
      peer.name = name;
    }
    return peer;
  }

  started(address: string, name?: string): void {
    this.record(address, name).inFlight += 1;
  }

  succeeded(address: string, rttMs: number, bytesDown: number): void {
    const peer = this.record(address);
    peer.inFlight = Math.max(0, peer.inFlight - 1);
    peer.rttMs = peer.rttMs === null ? rttMs : peer.rttMs * (1 - RTT_SMOOTHING) + rttMs * RTT_SMOOTHING;
    peer.bytesDown += bytesDown;
    peer.consecutiveFailures = 0;
    peer.lastSeenAt = this.now();
  }

  failed(address: string): void {
    const peer = this.record(address);
    peer.inFlight = Math.max(0, peer.inFlight - 1);
    peer.failures += 1;
    peer.consecutiveFailures += 1;
    peer.lastFailureAt = this.now();
  }

  served(address: string, name: string | undefined, bytes: number): void {
    const peer = this.record(address, name);
    peer.bytesUp += bytes;
    peer.lastSeenAt = this.now();
  }

  seen(address: string, name?: string, rttMs?: number): void {
    const peer = this.record(address, name);
    peer.lastSeenAt = this.now();
    if (rttMs !== undefined) {
      peer.rttMs = peer.rttMs === null ? rttMs : peer.rttMs * (1 - RTT_SMOOTHING) + rttMs * RTT_SMOOTHING;
    }
  }

  get(address: string): PeerRecord | undefined {
    return this.peers.get(address);
  }

  all(): PeerRecord[] {
    return [...this.peers.values()];
  }

  recentlyFailed(address: string): boolean {
    const at = this.peers.get(address)?.lastFailureAt;
    return at !== null && at !== undefined && this.now() - at < this.recentFailureMs;
  }

  avoided(address: string): boolean {
    const peer = this.peers.get(address);
    return (
      peer !== undefined &&
      peer.consecutiveFailures >= this.avoidAfterFailures &&
      this.recentlyFailed(address)
    );
  }

  /**
   * Orders candidates best first: healthy before recently failed before avoided; among equals, fewer
   * requests in flight (spare capacity), then lower RTT. Ties keep a random order so load spreads.
   */
  rank<T extends { address: string }>(candidates: readonly T[]): T[] {
    const scored = candidates.map((candidate) => {
      const peer = this.peers.get(candidate.address);
      const tier = this.avoided(candidate.address) ? 2 : this.recentlyFailed(candidate.address) ? 1 : 0;
      return {
        candidate,
        tier,
        inFlight: peer?.inFlight ?? 0,
        rtt: peer?.rttMs ?? 0,
        tiebreak: Math.random(),
      };
    });
    scored.sort(
      (a, b) => a.tier - b.tier || a.inFlight - b.inFlight || a.rtt - b.rtt || a.tiebreak - b.tiebreak,
    );
    return scored.map((entry) => entry.candidate);
  }
}
