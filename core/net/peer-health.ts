/**
 * What this node has seen of each peer: round-trip times, bytes each way, failures and requests in
 * flight. Used to order candidate holders (spare capacity and good recent service first, recently
 * failed last) and to drop peers that keep failing, as WebTorrent users ask of slow peers.
 *
 * Round-trip times are measured, never guessed: the heartbeat to the master (a `ping` timed on the
 * monotonic clock), and a `get` a peer answers from its store (timed until the reply arrives, before
 * this node hashes it). Each sample moves the smoothed figure as TCP's SRTT does (RFC 6298: 1/8 of
 * the way), so it follows the link within a few heartbeats and one slow reply shows without taking
 * over. A master shows for each child the figure the child measured on its heartbeats.
 */
import { systemRandom, type Random } from '../util/random.js';

export interface PeerRecord {
  name: string;
  address: string;
  /** Smoothed round-trip time, ms; null until the first sample. */
  rttMs: number | null;
  /** Round trips measured (or reported) so far. */
  rttSamples: number;
  bytesUp: number;
  bytesDown: number;
  failures: number;
  consecutiveFailures: number;
  lastFailureAt: number | null;
  lastSeenAt: number | null;
  inFlight: number;
  /** Times it sent bad bytes or never answered (see `offended`). */
  offences: number;
  /** Avoided until then (epoch ms) for its last offence; null when never. */
  bannedUntil: number | null;
  /** Overtaken while asked, and not answered since: avoided until the answer (or its timeout) comes. */
  owesAnswer: boolean;
}

export interface HealthOptions {
  /** A failure within this window puts the peer behind those that have not failed. */
  recentFailureMs?: number;
  /** This many failures in a row makes a peer avoided until the window passes. */
  avoidAfterFailures?: number;
  /** How long a first offence (bad bytes, or silence) avoids a peer; doubled for each repeat. */
  banMs?: number;
  /** The longest an offence avoids a peer. */
  maxBanMs?: number;
  now?: () => number;
  /** Breaks ties between equally good peers, so load spreads. Default: Math.random. */
  random?: Random;
}

/** RFC 6298's alpha: each sample moves the smoothed RTT 1/8 of the way. */
const RTT_SMOOTHING = 1 / 8;

export class PeerHealth {
  private readonly peers = new Map<string, PeerRecord>();
  private readonly offenceListeners: Array<(peer: PeerRecord) => void> = [];
  private readonly recentFailureMs: number;
  private readonly avoidAfterFailures: number;
  private readonly banMs: number;
  private readonly maxBanMs: number;
  private readonly now: () => number;
  private readonly random: Random;

  constructor(options: HealthOptions = {}) {
    this.recentFailureMs = options.recentFailureMs ?? 10_000;
    this.avoidAfterFailures = options.avoidAfterFailures ?? 3;
    this.banMs = options.banMs ?? 10_000;
    this.maxBanMs = options.maxBanMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? systemRandom;
  }

  record(address: string, name?: string): PeerRecord {
    let peer = this.peers.get(address);
    if (!peer) {
      peer = {
        name: name ?? address,
        address,
        rttMs: null,
        rttSamples: 0,
        bytesUp: 0,
        bytesDown: 0,
        failures: 0,
        consecutiveFailures: 0,
        lastFailureAt: null,
        lastSeenAt: null,
        inFlight: 0,
        offences: 0,
        bannedUntil: null,
        owesAnswer: false,
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

  /**
   * A request to the peer succeeded. `rttMs` is its round trip when the reply's timing measures the
   * link (a peer answering from its store), or null when it also measures other work (a master that
   * may have fetched the chunk from above first).
   */
  succeeded(address: string, rttMs: number | null, bytesDown: number): void {
    const peer = this.record(address);
    peer.inFlight = Math.max(0, peer.inFlight - 1);
    peer.owesAnswer = false;
    if (rttMs !== null) this.sample(peer, rttMs);
    peer.bytesDown += bytesDown;
    peer.consecutiveFailures = 0;
    peer.lastSeenAt = this.now();
  }

  failed(address: string): void {
    const peer = this.record(address);
    peer.inFlight = Math.max(0, peer.inFlight - 1);
    peer.owesAnswer = false;
    this.markFailure(peer);
  }

  /**
   * The peer was still working on a request when another source answered it (see hedgedRace): it
   * counts as a failure, so a slow holder is ranked behind quicker ones, and it is not asked again
   * until that request ends: a dead holder the master still lists costs one hedge, not one per chunk
   * until its request times out (and it is banned, see `offended`).
   */
  overtaken(address: string): void {
    const peer = this.record(address);
    peer.owesAnswer = true;
    this.markFailure(peer);
  }

  private markFailure(peer: PeerRecord): void {
    peer.failures += 1;
    peer.consecutiveFailures += 1;
    peer.lastFailureAt = this.now();
  }

  /**
   * The peer sent bytes that fail their hash, or let a request time out: avoided at once, for a time
   * that doubles with each offence (BitTorrent clients' smart-ban, with parole). A slow peer that
   * still answers is not offended, only ranked behind (see `overtaken`).
   */
  offended(address: string): void {
    const peer = this.record(address);
    peer.offences += 1;
    const banMs = Math.min(this.banMs * 2 ** (peer.offences - 1), this.maxBanMs);
    peer.bannedUntil = this.now() + banMs;
    for (const listener of this.offenceListeners) listener(peer);
  }

  /** Calls `listener` with each peer just banned (a child tells its master, see ChangeReporter). */
  onOffended(listener: (peer: PeerRecord) => void): void {
    this.offenceListeners.push(listener);
  }

  /** A request this node called off itself (its reader left): no mark against the peer. */
  calledOff(address: string): void {
    const peer = this.record(address);
    peer.inFlight = Math.max(0, peer.inFlight - 1);
    peer.owesAnswer = false;
  }

  served(address: string, name: string | undefined, bytes: number): void {
    const peer = this.record(address, name);
    peer.bytesUp += bytes;
    peer.lastSeenAt = this.now();
  }

  /** A round trip measured on the monotonic clock (a heartbeat answered): smoothed into the RTT. */
  roundTrip(address: string, name: string | undefined, rttMs: number): void {
    const peer = this.record(address, name);
    peer.lastSeenAt = this.now();
    this.sample(peer, rttMs);
  }

  /** A smoothed RTT the peer measured itself on the same link (a child's heartbeats): shown as is. */
  reportedRtt(address: string, name: string | undefined, rttMs: number): void {
    const peer = this.record(address, name);
    peer.lastSeenAt = this.now();
    peer.rttMs = rttMs;
    peer.rttSamples += 1;
  }

  private sample(peer: PeerRecord, rttMs: number): void {
    if (!Number.isFinite(rttMs) || rttMs < 0) return;
    peer.rttMs = peer.rttMs === null ? rttMs : peer.rttMs + (rttMs - peer.rttMs) * RTT_SMOOTHING;
    peer.rttSamples += 1;
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

  /** Banned for an offence (bad bytes, or silence) and not yet paroled: see `offended`. */
  banned(address: string): boolean {
    const until = this.peers.get(address)?.bannedUntil;
    return until !== null && until !== undefined && this.now() < until;
  }

  avoided(address: string): boolean {
    const peer = this.peers.get(address);
    if (peer === undefined) return false;
    if (peer.owesAnswer || this.banned(address)) return true;
    return peer.consecutiveFailures >= this.avoidAfterFailures && this.recentlyFailed(address);
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
        tiebreak: this.random.next(),
      };
    });
    scored.sort(
      (a, b) => a.tier - b.tier || a.inFlight - b.inFlight || a.rtt - b.rtt || a.tiebreak - b.tiebreak,
    );
    return scored.map((entry) => entry.candidate);
  }
}
