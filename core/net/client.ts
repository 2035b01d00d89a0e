/**
 * PeerClient: the pool of DEALER connections a node uses to talk to other nodes. One connection per
 * remote address, created on first use, shared by every request to that address, and closed after
 * it has been idle for a while (or on demand). `request` is the primitive everything else is built on.
 */
import { PeerStreamerError } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { peerAddressProblem, splitPeerAddress } from '../protocol/peer-key.js';
import { encodeRequest, type Frame } from '../protocol/codec.js';
import { MAX_REQUEST_ID } from '../protocol/limits.js';
import type { IncomingReply, OkReplyOf, Request, RequestOf, RequestType } from '../protocol/messages.js';
import { WireProblem } from '../protocol/problems.js';
import { Connection } from './connection.js';
import { newClientCounters, type ClientCounters } from './client-counters.js';
import type { DealerOptions } from './socket-options.js';
import type { RequestOptions } from './transport.js';
import { newCurveKeyPair, type CurveKeyPair } from './curve-keys.js';
import { ServerKeys, type ServerKeySource } from './server-keys.js';

export interface PeerClientOptions {
  logger?: Logger;
  /** Default per-request timeout. Default 5000 ms. */
  timeoutMs?: number;
  /** Requests sent and unanswered per remote; more wait locally. Default 16 (below the server's 32). */
  maxInFlightPerRemote?: number;
  /** Requests waiting locally per remote before new ones fail OVERLOADED. Default 1000. */
  maxQueuedPerRemote?: number;
  /** A connection with nothing in flight for this long is closed. Default 60 s. */
  idleCloseMs?: number;
  /** Open connections kept at most; the least recently used idle one is closed beyond it. Default 1024. */
  maxConnections?: number;
  /** Overrides of DEALER_SOCKET_OPTIONS (tests, tuning). */
  socketOptions?: Partial<DealerOptions>;
  /** This node's CURVE key pair. Default: a fresh pair for the client's lifetime. */
  keys?: CurveKeyPair;
  /** Where keys of servers dialled by bare address come from. Default: asked over UDP, not pinned. */
  serverKeys?: ServerKeySource;
}

/** A reply as `request` resolves it: `body` is the chunk for `get`, absent otherwise. */
export type ClientReply<K extends RequestType> = { reply: OkReplyOf<K> } & (K extends 'get'
  ? { body: Buffer }
  : { body?: undefined });

export class PeerClient {
  private readonly connections = new Map<string, Connection>();
  private readonly counterValues = newClientCounters();
  private readonly log: Logger;
  private readonly sweeper: NodeJS.Timeout;
  private readonly settings: Required<
    Omit<PeerClientOptions, 'logger' | 'socketOptions' | 'keys' | 'serverKeys'>
  >;
  /** This client's key pair: what servers see as its identity. */
  readonly keys: CurveKeyPair;
  private readonly serverKeys: ServerKeySource;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: PeerClientOptions = {}) {
    this.settings = {
      timeoutMs: options.timeoutMs ?? 5000,
      maxInFlightPerRemote: options.maxInFlightPerRemote ?? 16,
      maxQueuedPerRemote: options.maxQueuedPerRemote ?? 1000,
      idleCloseMs: options.idleCloseMs ?? 60_000,
      maxConnections: options.maxConnections ?? 1024,
    };
    this.log = (options.logger ?? silentLogger()).child({ component: 'peer-client' });
    this.keys = options.keys ?? newCurveKeyPair();
    this.serverKeys = options.serverKeys ?? new ServerKeys();
    this.sweeper = setInterval(() => this.closeIdle(), Math.max(100, this.settings.idleCloseMs / 2));
    this.sweeper.unref();
  }

  /**
   * Sends `request` to the node at `address` and resolves with its ok reply (and, for `get`, the
   * chunk bytes). Rejects with a PeerStreamerError: TIMEOUT (no reply in time), UNREACHABLE (no
   * connection in time), PROTOCOL (invalid reply or a protocol-level refusal), the remote's own code
   * (CHUNK_NOT_FOUND, OVERLOADED, ...), INVALID_ARGUMENT (a bad address or request); or with
   * `signal.reason` when aborted. Without `options.timeoutMs` the client's default timeout applies.
   */
  request<K extends RequestType>(
    address: string,
    request: RequestOf<K>,
    options: Partial<RequestOptions> = {},
  ): Promise<ClientReply<K>> {
    return new Promise<IncomingReply>((resolve, reject) => {
      if (this.closed) {
        throw new PeerStreamerError(
          'UNREACHABLE',
          `PeerClient is closed; cannot send ${request.type} to ${address}`,
          {
            address,
          },
        );
      }
      const problem = peerAddressProblem(address);
      if (problem !== null) {
        throw new PeerStreamerError(
          'INVALID_ARGUMENT',
          `peer address ${JSON.stringify(address)} is not usable: ${problem}. Use tcp://host:port or tcp://host:port#<key>.`,
          { address },
        );
      }
      const { signal } = options;
      if (signal?.aborted) throw signal.reason;
      const id = this.takeId();
      const frames = this.encode(address, id, request as Request);
      const timeoutMs = options.timeoutMs ?? this.settings.timeoutMs;
      this.connectionTo(address, timeoutMs).submit({
        id,
        request: request as Request,
        frames,
        deadline: Date.now() + timeoutMs,
        timeoutMs,
        resolve,
        reject,
        ...(signal ? { signal } : {}),
      });
    }).then(({ reply, body }) => ({ reply, body }) as unknown as ClientReply<K>);
  }

  counters(): ClientCounters & { connections: number } {
    return { ...this.counterValues, connections: this.connections.size };
  }

  /** Closes the connection to `address` now; its requests fail with UNREACHABLE. */
  async disconnect(address: string, reason = 'closed on request'): Promise<void> {
    const { dial } = splitPeerAddress(address);
    const connection = this.connections.get(address);
    if (connection === undefined) return;
    this.connections.delete(address);
    this.serverKeys.forget?.(dial);
    await connection.close(reason);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    const all = [...this.connections.keys()];
    await Promise.all(all.map((address) => this.disconnect(address, 'the client is closing')));
  }

  private takeId(): number {
    const id = this.nextId;
    this.nextId = id >= MAX_REQUEST_ID ? 1 : id + 1;
    return id;
  }

  private encode(address: string, id: number, request: Request): Frame[] {
    try {
      return encodeRequest(id, request);
    } catch (error) {
      if (!(error instanceof WireProblem)) throw error;
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `${String(request.type)} request to ${address} not sent: ${error.message}`,
        { address, type: request.type, field: error.field },
      );
    }
  }

  /**
   * The connection to an address, keyed by the address as given: `host:port` and `host:port#key`
   * are two DEALERs, so a key given for one request (the holder of a name, who may have moved
   * away) never sticks to later requests to whoever is at that address now.
   */
  private connectionTo(address: string, timeoutMs: number): Connection {
    const { dial, key } = splitPeerAddress(address);
    let connection = this.connections.get(address);
    // One whose server key could not be had is replaced: the next request asks again.
    if (connection?.failed !== undefined) {
      this.connections.delete(address);
      void connection.close('its server key could not be had');
      connection = undefined;
    }
    if (connection === undefined) {
      if (this.connections.size >= this.settings.maxConnections) this.closeLeastRecentlyUsed();
      connection = new Connection(
        dial,
        {
          maxInFlight: this.settings.maxInFlightPerRemote,
          maxQueued: this.settings.maxQueuedPerRemote,
          ...(this.options.socketOptions ? { socketOptions: this.options.socketOptions } : {}),
          keys: this.keys,
          serverKey: key !== undefined ? Promise.resolve(key) : this.serverKeys.keyFor(dial, timeoutMs),
        },
        this.counterValues,
        this.log,
      );
      this.connections.set(address, connection);
    }
    return connection;
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.settings.idleCloseMs;
    for (const [address, connection] of this.connections) {
      if (connection.idle && connection.lastActive <= cutoff) {
        this.log.debug({ address }, 'closing idle connection');
        void this.disconnect(address, 'idle');
      }
    }
  }

  private closeLeastRecentlyUsed(): void {
    let oldest: [string, Connection] | undefined;
    for (const entry of this.connections) {
      const [, connection] = entry;
      if (connection.idle && (oldest === undefined || connection.lastActive < oldest[1].lastActive))
        oldest = entry;
    }
    if (oldest !== undefined) void this.disconnect(oldest[0], 'too many open connections');
  }
}
