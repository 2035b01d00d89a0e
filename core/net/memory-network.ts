/**
 * An in-memory network with virtual time, for deterministic tests of the node's roles and for the
 * simulator. Each host is a Transport (what roles ask of others) and a RequestRouter (what they
 * answer), like a node's PeerClient and PeerServer over ZeroMQ. Messages go through the real codec
 * both ways, so every request and reply is validated as on the wire; the simulator may turn that
 * off (`codec: false`) and pass the objects themselves, as the role tests have checked them.
 *
 * The model: a chunk leaves once the sender's uplink (one queue for all the chunks the host sends,
 * at its bandwidth) has sent it; other messages leave at once (they are small, and connections share
 * a real uplink fairly). Each arrives one link latency later, unless the link drops it (loss)
 * or the two hosts are partitioned. A crashed host sends and answers nothing. How its peers learn
 * of it depends on how it crashed (CrashKind): at their deadlines after a `silent` crash (a machine
 * gone), or one link latency later after a `reset` (a process killed, or a node stopping: its
 * sockets close, and a node's Connection hears libzmq say so).
 * Not modelled: the server's per-peer in-flight limit and reply budgets, socket high-water marks,
 * and TCP's own behaviour under loss (a lost message is simply gone).
 */
import type { Clock } from '../util/clock.js';
import type { Random } from '../util/random.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { tcpAddressProblem } from '../protocol/address.js';
import { MemoryHost } from './memory-host.js';
import { bodyOf, framesBytes, type ReplyPayload, type RequestPayload } from './memory-payload.js';

export interface HostProfile {
  /** The host's upload bandwidth, shared by all the chunks it sends. Default: unlimited. */
  uplinkBytesPerSecond?: number;
  /**
   * One-way delay between this host and the wider network (its access link), added to every link
   * it uses that has no profile of its own: two hosts at 10 and 30 ms are 40 ms apart one way.
   */
  accessLatencyMs?: number;
  /** The key the host proves to others (PeerContext.peerKey). Default: one made from its address. */
  key?: string;
  /**
   * Behind a NAT with no port forwarded: its own requests get their replies, but a request another
   * host starts never reaches it (it times out, as a connection to such a host never completes).
   */
  behindNat?: boolean;
}

export interface LinkProfile {
  /** One-way delay, ms. */
  latencyMs: number;
  /** Chance that a message on this link is lost, 0..1. */
  lossRate?: number;
}

export interface MemoryNetworkOptions {
  clock: Clock;
  /** Decides losses (and nothing else here), so a run with loss is repeatable from its seed. */
  random: Random;
  /** The link between two hosts when none was set for them. Default: 1 ms one way, no loss. */
  defaultLink?: LinkProfile;
  /**
   * Each byte of a chunk's body counts as this many on uplinks and in the counters: the simulator
   * moves small chunks that stand for real-sized ones (a 2 s chunk at 3 Mbit/s is 750 KB). Default 1.
   */
  byteScale?: number;
  /**
   * False: requests and replies travel as the objects the roles made, not encoded and decoded
   * again. A quarter of a large simulation's time went to msgpack and the schemas, checking messages
   * our own roles made; the role tests keep the codec on, so a role that made a bad one fails there.
   * Control messages then count no bytes (they never queue on an uplink). Default true.
   */
  codec?: boolean;
  logger?: Logger;
}

/** A chunk (a `get` reply), a request for one, or anything else (the tree's upkeep). */
export type MessageKind = 'chunk' | 'get' | 'control';

/** What the network carried in total (each host counts its own chunk bytes sent). */
export interface NetworkCounters {
  messages: number;
  bytes: number;
  /** Messages other than chunks and their requests: registrations, heartbeats, reports, queries. */
  controlMessages: number;
  lost: number;
  /** Sent to a crashed, partitioned or unknown host. */
  undeliverable: number;
}

export class MemoryNetwork {
  readonly clock: Clock;
  private readonly random: Random;
  private readonly hosts = new Map<string, MemoryHost>();
  private readonly links = new Map<string, LinkProfile>();
  /** Pairs of hosts that cannot reach each other, by linkKey. */
  private readonly cut = new Set<string>();
  private readonly defaultLink: LinkProfile;
  readonly log: Logger;
  readonly totals: NetworkCounters = {
    messages: 0,
    bytes: 0,
    controlMessages: 0,
    lost: 0,
    undeliverable: 0,
  };
  readonly byteScale: number;
  readonly codec: boolean;

  constructor(options: MemoryNetworkOptions) {
    this.codec = options.codec ?? true;
    this.clock = options.clock;
    this.random = options.random;
    this.defaultLink = options.defaultLink ?? { latencyMs: 1 };
    this.byteScale = options.byteScale ?? 1;
    this.log = options.logger ?? silentLogger();
  }

  /** Adds a host at `address` (tcp://host:port, as a node advertises itself). */
  host(address: string, profile: HostProfile = {}): MemoryHost {
    const problem = tcpAddressProblem(address);
    if (problem !== null) throw new Error(`memory host address ${JSON.stringify(address)}: ${problem}`);
    const existing = this.hosts.get(address);
    if (existing !== undefined && !existing.crashed) {
      throw new Error(`memory host ${address} already exists; crash it before starting another there`);
    }
    const host = new MemoryHost(this, address, profile);
    this.hosts.set(address, host);
    return host;
  }

  /** Sets the link between `a` and `b`, both ways. */
  setLink(a: string, b: string, profile: LinkProfile): void {
    this.links.set(linkKey(a, b), profile);
  }

  /** From now on nothing gets from any of `side` to any of `other`, or back. */
  partition(side: readonly string[], other: readonly string[]): void {
    for (const a of side) for (const b of other) this.cut.add(linkKey(a, b));
  }

  /** Ends every partition. */
  heal(): void {
    this.cut.clear();
  }

  private linkBetween(from: MemoryHost, to: string): LinkProfile {
    const access = from.accessLatencyMs + (this.hosts.get(to)?.accessLatencyMs ?? 0);
    return access === 0
      ? this.defaultLink
      : { ...this.defaultLink, latencyMs: this.defaultLink.latencyMs + access };
  }

  /** Schedules a message from one host to another; `arrive` runs at the far end if it gets there. */
  send(
    from: MemoryHost,
    to: string,
    payload: RequestPayload | ReplyPayload,
    kind: MessageKind,
    arrive: (target: MemoryHost) => void,
    /** A request's: told when it meets a host that crashed with `reset` (a closed port). */
    refused?: () => void,
  ): void {
    // A chunk's body is what takes the uplink's time and what the figures count as chunk bytes: its
    // header is a hundred bytes beside 750 kB, and counting it would make runs with and without the
    // codec differ.
    const body = kind === 'chunk' ? bodyOf(payload) * this.byteScale : 0;
    this.totals.messages += 1;
    this.totals.bytes += 'frames' in payload ? framesBytes(payload.frames) - bodyOf(payload) + body : body;
    if (kind === 'control') this.totals.controlMessages += 1;
    if (kind === 'chunk') from.chunkBytesSent += body;
    const link = this.links.get(linkKey(from.address, to)) ?? this.linkBetween(from, to);
    // Only chunks queue on the uplink: requests, heartbeats and the like are a few hundred bytes,
    // which fair queueing between connections (as TCP gives) sends at once beside a bulk transfer.
    const departsIn = kind === 'chunk' ? from.uplinkDelay(body) : 0;
    if (link.lossRate !== undefined && link.lossRate > 0 && this.random.next() < link.lossRate) {
      this.totals.lost += 1;
      return;
    }
    this.clock.after(departsIn + link.latencyMs, () => {
      const target = this.hosts.get(to);
      // Checked on arrival: a crash or a partition while the message is on the wire loses it too.
      if (target === undefined || target.crashed || from.crashed || this.cut.has(linkKey(from.address, to))) {
        this.totals.undeliverable += 1;
        // The closed port answers (a TCP reset), one link latency back.
        if (refused !== undefined && target?.crashed === true && target.resetOnCrash && !from.crashed) {
          this.clock.after(link.latencyMs, refused);
        }
        return;
      }
      arrive(target);
    });
  }

  /** `crashed`'s kernel closed its connection to `peer`: `peer` hears it one link latency later. */
  connectionClosed(crashed: MemoryHost, peer: string): void {
    const target = this.hosts.get(peer);
    if (target === undefined || target.crashed || this.cut.has(linkKey(crashed.address, peer))) return;
    const link = this.links.get(linkKey(crashed.address, peer)) ?? this.linkBetween(crashed, peer);
    this.clock.after(link.latencyMs, () => {
      if (!target.crashed) target.lostConnectionTo(crashed.address);
    });
  }
}

function linkKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}
