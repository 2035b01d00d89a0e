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
 * or the two hosts are partitioned. A crashed host sends and answers nothing, as a node killed with
 * SIGKILL: its peers see timeouts, as they do over ZeroMQ (which reconnects silently).
 * Not modelled: the server's per-peer in-flight limit and reply budgets, socket high-water marks,
 * and TCP's own behaviour under loss (a lost message is simply gone).
 */
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import type { Clock } from '../util/clock.js';
import type { Random } from '../util/random.js';
import { silentLogger, type Logger } from '../util/logger.js';
import {
  decodeReply,
  decodeRequest,
  encodeErrorReply,
  encodeRequest,
  errorReplyOf,
  type Frame,
} from '../protocol/codec.js';
import { own } from '../protocol/fields.js';
import {
  okTypeOf,
  type IncomingReply,
  type IncomingRequest,
  type OkReplyOf,
  type Reply,
  type Request,
  type RequestOf,
  type RequestType,
} from '../protocol/messages.js';
import { WireProblem } from '../protocol/problems.js';
import { tcpAddressProblem } from '../protocol/address.js';
import {
  errorAnswerOf,
  errorReplyFrames,
  resultFrames,
  resultOf,
  type AnyHandler,
  type Handler,
  type RequestRouter,
} from './handlers.js';
import { remoteError } from './remote-error.js';
import type { RequestOptions, Transport } from './transport.js';

export interface HostProfile {
  /** The host's upload bandwidth, shared by all the chunks it sends. Default: unlimited. */
  uplinkBytesPerSecond?: number;
  /**
   * One-way delay between this host and the wider network (its access link), added to every link
   * it uses that has no profile of its own: two hosts at 10 and 30 ms are 40 ms apart one way.
   */
  accessLatencyMs?: number;
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

/** What travels between two hosts: the wire's frames, or (codec off) the objects themselves. */
type RequestPayload = { frames: Frame[] } | { request: IncomingRequest };
type ReplyPayload = { frames: Frame[] } | { incoming: IncomingReply };

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
        return;
      }
      arrive(target);
    });
  }
}

/** Bytes of a reply's body (the chunk of a `get` reply), unscaled; 0 for anything else. */
function bodyOf(payload: RequestPayload | ReplyPayload): number {
  if ('frames' in payload) return payload.frames[1]?.byteLength ?? 0;
  return 'incoming' in payload ? (payload.incoming.body?.byteLength ?? 0) : 0;
}

function framesBytes(frames: Frame[]): number {
  return frames.reduce((sum, frame) => sum + frame.byteLength, 0);
}

interface Pending {
  type: RequestType;
  resolve(value: { reply: never; body?: Buffer }): void;
  reject(error: unknown): void;
}

export class MemoryHost implements Transport, RequestRouter {
  crashed = false;
  /** Chunk bytes this host has sent, scaled as the network counts them. */
  chunkBytesSent = 0;
  private readonly handlers = new Map<RequestType, AnyHandler>();
  private readonly pending = new Map<number, Pending>();
  private readonly peerNames = new Map<string, string>();
  private nextId = 1;
  private uplinkFreeAt = 0;
  /**
   * Handlers' signal, aborted when the host crashes. One for all requests: handlers here have no
   * deadline of their own, and a controller per request was a measurable share of a large run.
   */
  private readonly lifetime = new AbortController();

  constructor(
    private readonly network: MemoryNetwork,
    readonly address: string,
    private readonly profile: HostProfile,
  ) {}

  handle<K extends RequestType>(type: K, handler: Handler<K>): this {
    this.handlers.set(type, handler as unknown as AnyHandler);
    return this;
  }

  /** Nothing here tells a gone peer early: its requests just stop coming, as over ZeroMQ mostly. */
  onPeerGone(): void {}

  /** Stops this host as SIGKILL would: nothing more in or out, and its own requests never settle. */
  crash(): void {
    this.crashed = true;
    this.lifetime.abort();
    this.pending.clear();
  }

  get accessLatencyMs(): number {
    return this.profile.accessLatencyMs ?? 0;
  }

  /** Milliseconds until a message of `bytes` queued now has left this host's uplink. */
  uplinkDelay(bytes: number): number {
    const rate = this.profile.uplinkBytesPerSecond;
    if (rate === undefined || !Number.isFinite(rate)) return 0;
    const now = this.network.clock.now();
    this.uplinkFreeAt = Math.max(now, this.uplinkFreeAt) + (bytes * 1000) / rate;
    return this.uplinkFreeAt - now;
  }

  request<K extends RequestType>(
    address: string,
    request: RequestOf<K>,
    options: RequestOptions,
  ): Promise<{ reply: OkReplyOf<K>; body?: Buffer }> {
    return new Promise((resolve, reject) => {
      const { signal, timeoutMs } = options;
      if (this.crashed) return; // A killed process's calls never come back.
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const problem = tcpAddressProblem(address);
      if (problem !== null) {
        reject(
          new PeerStreamerError(
            'INVALID_ARGUMENT',
            `peer address ${JSON.stringify(address)} is not usable: ${problem}`,
            {
              address,
            },
          ),
        );
        return;
      }
      const id = this.nextId++;
      const payload: RequestPayload = this.network.codec
        ? { frames: encodeRequest(id, request as Request) }
        : { request: { ...(request as Request), id } as IncomingRequest };
      const type = request.type;
      const clock = this.network.clock;
      const settle = (): boolean => {
        if (!this.pending.delete(id)) return false;
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        return true;
      };
      const onAbort = (): void => {
        if (settle()) reject(signal!.reason);
      };
      const timer = clock.after(timeoutMs, () => {
        if (!settle()) return;
        reject(
          new PeerStreamerError(
            'TIMEOUT',
            `${address} did not answer ${type} within ${timeoutMs} ms; try another peer or a longer timeout`,
            { address, type, timeoutMs, id },
          ),
        );
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        type,
        resolve: (value) => {
          if (settle()) resolve(value as { reply: OkReplyOf<K>; body?: Buffer });
        },
        reject: (error) => {
          if (settle()) reject(error);
        },
      });
      const kind = type === 'get' ? 'get' : 'control';
      this.network.send(this, address, payload, kind, (target) => target.serve(this.address, payload));
    });
  }

  /** A request has arrived from `from`: decode it as a server would, run its handler, reply. */
  private serve(from: string, payload: RequestPayload): void {
    let request: IncomingRequest;
    try {
      request = 'frames' in payload ? decodeRequest(payload.frames) : payload.request;
    } catch (error) {
      const problem = error instanceof WireProblem ? error : undefined;
      this.replyError(problem?.id ?? 0, from, problem?.code ?? 'BAD_REQUEST', errorMessage(error));
      return;
    }
    const name = own(request as unknown as Record<string, unknown>, 'name');
    if (typeof name === 'string') this.peerNames.set(from, name);
    const handler = this.handlers.get(request.type);
    if (handler === undefined) {
      this.replyError(
        request.id,
        from,
        'NOT_SUPPORTED',
        `${this.address} does not serve ${request.type} requests`,
      );
      return;
    }
    const routingId = Buffer.from(from);
    const context = {
      routingId,
      peerId: routingId.toString('hex'),
      declaredName: this.peerNames.get(from),
      signal: this.lifetime.signal,
    };
    const log = this.network.log;
    const kind = request.type === 'get' ? 'chunk' : 'control';
    const answer = Promise.resolve().then(() => handler(request, context));
    if (this.network.codec) {
      void answer
        .then((result) => resultFrames(request, result))
        .catch((error: unknown) => errorReplyFrames(request, error, this.address, log))
        .then((frames) => this.reply(from, { frames }, kind));
      return;
    }
    void answer
      .then((result): IncomingReply => {
        const { reply, body } = resultOf(request, result);
        return {
          id: request.id,
          reply: { ...reply, type: okTypeOf(request.type) } as Reply,
          ...(body === undefined ? {} : { body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) }),
        };
      })
      .catch((error: unknown): IncomingReply => {
        const { code, message, extra } = errorAnswerOf(request, error, this.address, log);
        return { id: request.id, reply: errorReplyOf(code, message, extra) };
      })
      .then((incoming) => this.reply(from, { incoming }, kind));
  }

  private replyError(id: number, to: string, code: string, message: string): void {
    this.reply(
      to,
      this.network.codec
        ? { frames: encodeErrorReply(id, code, message) }
        : { incoming: { id, reply: errorReplyOf(code, message) } },
    );
  }

  private reply(to: string, payload: ReplyPayload, kind: MessageKind = 'control'): void {
    if (this.crashed) return;
    this.network.send(this, to, payload, kind, (target) => target.receive(this.address, payload));
  }

  /** A reply has arrived from `from`: settle the request it answers, if that is still waiting. */
  private receive(from: string, payload: ReplyPayload): void {
    let incoming: IncomingReply;
    try {
      incoming =
        'incoming' in payload
          ? payload.incoming
          : decodeReply(
              payload.frames.map((frame) => Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)),
            );
    } catch (error) {
      const id = error instanceof WireProblem ? error.id : 0;
      const entry = this.pending.get(id);
      entry?.reject(
        new PeerStreamerError('PROTOCOL', `${from} sent an invalid reply: ${errorMessage(error)}`, {
          address: from,
        }),
      );
      return;
    }
    const entry = this.pending.get(incoming.id);
    if (entry === undefined) return;
    const { reply, body } = incoming as { reply: { type: string }; body?: Buffer };
    if (reply.type === 'error') {
      entry.reject(remoteError(from, entry.type, reply as never));
      return;
    }
    entry.resolve({ reply: reply as never, ...(body === undefined ? {} : { body }) });
  }
}

function linkKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}
