/**
 * One host on the MemoryNetwork: a Transport (what roles ask of others) and a RequestRouter (what
 * they answer), as a node's PeerClient and PeerServer are over ZeroMQ. See memory-network.ts for the
 * model.
 */
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import {
  decodeReply,
  decodeRequest,
  encodeErrorReply,
  encodeRequest,
  errorReplyOf,
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
import {
  errorReplyFor,
  errorReplyFrames,
  resultFrames,
  resultOf,
  type AnyHandler,
  type Handler,
  type PeerContext,
  type RequestRouter,
} from './handlers.js';
import { remoteError } from './remote-error.js';
import type { RequestOptions, Transport } from './transport.js';
import type { HostProfile, MemoryNetwork, MessageKind } from './memory-network.js';
import type { ReplyPayload, RequestPayload } from './memory-payload.js';
import { peerAddressProblem, splitPeerAddress, z85Encode } from '../protocol/peer-key.js';
import { connectionLost, connectionRefused } from './request-errors.js';
import { createHash } from 'node:crypto';

/**
 * How a host stops. `silent`: nothing more in or out, as a machine that lost power or its network;
 * its peers learn of it at their deadlines. `reset`: its process died and its kernel closed its
 * connections (SIGKILL on a live machine); its peers learn of it one link latency later, as a
 * node's Connection does from libzmq's socket events (core/net/connection.ts).
 */
export type CrashKind = 'silent' | 'reset';

interface Pending {
  type: RequestType;
  /** The host asked (its address without a key). */
  dial: string;
  resolve(value: { reply: never; body?: Buffer }): void;
  reject(error: unknown): void;
}

export class MemoryHost implements Transport, RequestRouter {
  crashed = false;
  /** Whether it crashed as a process whose kernel closed its connections (CrashKind `reset`). */
  resetOnCrash = false;
  /** Chunk bytes this host has sent, scaled as the network counts them. */
  chunkBytesSent = 0;
  private readonly handlers = new Map<RequestType, AnyHandler>();
  private readonly pending = new Map<number, Pending>();
  /**
   * What a handler is told about each peer that has asked something, by address: made once per
   * peer, not per request (a routing id, its hex and an object for each request in a large run).
   */
  private readonly peers = new Map<string, PeerContext>();
  /** Addresses already found usable, so each is checked once rather than on every request. */
  private readonly usable = new Set<string>();
  private nextId = 1;
  private uplinkFreeAt = 0;
  /**
   * Handlers' signal, aborted when the host crashes. One for all requests: handlers here have no
   * deadline of their own, and a controller per request was a measurable share of a large run.
   */
  private readonly lifetime = new AbortController();
  /**
   * The key this host proves, as a node's CURVE key over ZeroMQ: what handlers see as `peerKey`.
   * Given in its profile (a node restarted on the same store keeps it), else one of its own, made
   * from its address (a stand-in: nothing here encrypts, so it need not be a curve point).
   */
  readonly key: string;

  /** Whether requests others start never reach it (see HostProfile.behindNat). */
  get behindNat(): boolean {
    return this.profile.behindNat === true;
  }

  constructor(
    private readonly network: MemoryNetwork,
    readonly address: string,
    private readonly profile: HostProfile,
  ) {
    this.key = profile.key ?? z85Encode(createHash('sha256').update(address).digest());
  }

  handle<K extends RequestType>(type: K, handler: Handler<K>): this {
    this.handlers.set(type, handler as unknown as AnyHandler);
    return this;
  }

  /** Nothing here tells a gone peer early: its requests just stop coming, as over ZeroMQ mostly. */
  onPeerGone(): void {}

  /**
   * Stops this host: nothing more in or out, and its own requests never settle. After a `reset`
   * crash every host that had asked it something hears its connection close (its requests in
   * flight there fail), and later requests to it are refused.
   */
  crash(kind: CrashKind = 'silent'): void {
    this.crashed = true;
    this.resetOnCrash = kind === 'reset';
    this.lifetime.abort();
    this.pending.clear();
    if (kind === 'reset') for (const peer of this.peers.keys()) this.network.connectionClosed(this, peer);
  }

  /** `dial`'s end of the connection closed: what this host sent there will not be answered. */
  lostConnectionTo(dial: string): void {
    for (const entry of [...this.pending.values()]) {
      if (entry.dial === dial) entry.reject(connectionLost(dial, entry.type));
    }
  }

  /** A request to `dial` met a closed port (a host that crashed with `reset`). */
  refusedBy(dial: string, id: number): void {
    const entry = this.pending.get(id);
    entry?.reject(connectionRefused(dial, entry.type));
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
      if (!this.usable.has(address)) {
        const problem = peerAddressProblem(address);
        if (problem !== null) {
          reject(
            new PeerStreamerError(
              'INVALID_ARGUMENT',
              `peer address ${JSON.stringify(address)} is not usable: ${problem}`,
              { address },
            ),
          );
          return;
        }
        this.usable.add(address);
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
      // An address may carry the key to expect there; a host with another key is no one it can
      // reach, as a CURVE handshake with the wrong server key never completes: the request times out.
      const { dial, key } = splitPeerAddress(address);
      this.pending.set(id, {
        type,
        dial,
        resolve: (value) => {
          if (settle()) resolve(value as { reply: OkReplyOf<K>; body?: Buffer });
        },
        reject: (error) => {
          if (settle()) reject(error);
        },
      });
      const kind = type === 'get' ? 'get' : 'control';
      this.network.send(
        this,
        dial,
        payload,
        kind,
        (target) => {
          if (target.behindNat) return;
          if (key === undefined || key === target.key) target.serve(this.address, this.key, payload);
        },
        () => this.refusedBy(dial, id),
      );
    });
  }

  /** A request has arrived from `from`: decode it as a server would, run its handler, reply. */
  private serve(from: string, fromKey: string, payload: RequestPayload): void {
    let request: IncomingRequest;
    try {
      request = 'frames' in payload ? decodeRequest(payload.frames) : payload.request;
    } catch (error) {
      const problem = error instanceof WireProblem ? error : undefined;
      this.replyError(problem?.id ?? 0, from, problem?.code ?? 'BAD_REQUEST', errorMessage(error));
      return;
    }
    const context = this.contextFor(from, fromKey);
    const name = own(request as unknown as Record<string, unknown>, 'name');
    if (typeof name === 'string') context.declaredName = name;
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
        return { id: request.id, reply: errorReplyFor(request, error, this.address, log) };
      })
      .then((incoming) => this.reply(from, { incoming }, kind));
  }

  private contextFor(from: string, fromKey: string): PeerContext {
    let context = this.peers.get(from);
    // A host restarted at an address with another key is another peer, as another connection is.
    if (context === undefined || context.peerKey !== fromKey) {
      const routingId = Buffer.from(from);
      context = {
        routingId,
        peerId: routingId.toString('hex'),
        peerKey: fromKey,
        // tcp://host:port: the host, as the ZAP handler names a TCP peer's IP.
        peerAddress: new URL(from).hostname,
        declaredName: undefined,
        signal: this.lifetime.signal,
      };
      this.peers.set(from, context);
    }
    return context;
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
