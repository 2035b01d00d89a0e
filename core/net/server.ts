/**
 * PeerServer: the one ROUTER a node binds. It decodes and validates every request where it enters,
 * hands valid ones to the handler registered for their type, and sends back the handler's reply or
 * an error reply. Nothing a peer sends can crash it: malformed input becomes an error reply or a
 * counter, a handler's exception becomes an error reply, and a peer sending faster than it reads
 * replies is answered OVERLOADED while other peers are served.
 */
import * as zmq from 'zeromq';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { waitForPortRelease } from './port-release.js';
import { decodeRequest, encodeErrorReply, type Frame } from '../protocol/codec.js';
import { own } from '../protocol/fields.js';
import type { IncomingRequest, RequestType } from '../protocol/messages.js';
import { WireProblem } from '../protocol/problems.js';
import {
  errorReplyFrames,
  resultFrames,
  type AnyHandler,
  type Handler,
  type PeerContext,
  type RequestRouter,
} from './handlers.js';
import { PeerTable, type PeerSnapshot, type PeerState } from './peer-table.js';
import { ROUTER_SOCKET_OPTIONS, socketOptions, type RouterOptions } from './socket-options.js';
import { frameBytes } from './frame-bytes.js';
import { bindRouter } from './router-bind.js';
import { ReplySender } from './reply-sender.js';
import { newServerTotals, type ServerCounters } from './server-counters.js';
import { ServerRefusals } from './server-refusals.js';
import { ConnectionGate } from './connection-gate.js';
import { newCurveKeyPair, type CurveKeyPair } from './curve-keys.js';
import { RoutingIdVerifier } from './routing-proof.js';
import { ZAP_DOMAIN, ZapHandler, type AdmitByAddress } from './zap-handler.js';
import { KeyResponder } from './key-responder.js';
import { parseTcpAddress } from '../protocol/address.js';

export interface PeerServerOptions {
  /** tcp://ip:port to bind; port 0 (or *) takes a free port, see `address` after bind(). */
  bind: string;
  /** This node's name: logs, and the default `ping` reply. */
  name: string;
  logger?: Logger;
  /** Requests one peer may have in flight; more get OVERLOADED at once. Default 32. */
  maxInFlightPerPeer?: number;
  /** A handler that has not answered after this long gets a TIMEOUT error reply sent for it. Default 30 s. */
  handlerTimeoutMs?: number;
  /** Per-peer budget of OVERLOADED and invalid-message replies; beyond it they are dropped (counted). Default 50/s. */
  errorRepliesPerSecond?: number;
  /** Peers whose counters are kept; the least recently active are forgotten beyond it. Default 4096. */
  maxTrackedPeers?: number;
  /** Suggested wait given with OVERLOADED. Default 100 ms. */
  overloadedRetryAfterMs?: number;
  /**
   * Bytes one peer (connection) may send per second, a second's worth at once; requests past it are
   * answered OVERLOADED with the wait, unread by any handler. Default 4 MiB/s: 64 requests of the
   * largest size, far above what a child's reports need, so one connection cannot keep the node
   * decoding (docs/PROTOCOL.md, Malformed and oversized input).
   */
  maxBytesPerSecondPerPeer?: number;
  /**
   * Who may connect (ConnectionGate): it counts this ROUTER's open connections; a ZAP handler asks
   * it before letting a handshake complete. Default: a gate with its default bounds.
   */
  connectionGate?: ConnectionGate;
  /** Overrides of ROUTER_SOCKET_OPTIONS (tests, tuning). */
  socketOptions?: Partial<RouterOptions>;
  /** This node's CURVE key pair (its store's, see core/node/node-keys.ts). Default: a fresh pair. */
  keys?: CurveKeyPair;
  /** The keys let in (a closed swarm, `--allow`); others are refused at the handshake. Default: all. */
  allow?: ReadonlySet<string>;
  /** Answer key asks on the UDP port of the same number (key-responder.ts). Default true. */
  keyResponder?: boolean;
  /** A further say on each handshake, by the peer's IP (see AdmitByAddress). Default: none. */
  admit?: AdmitByAddress;
}

const DEFAULTS = {
  maxInFlightPerPeer: 32,
  handlerTimeoutMs: 30_000,
  errorRepliesPerSecond: 50,
  maxTrackedPeers: 4096,
  overloadedRetryAfterMs: 100,
  maxBytesPerSecondPerPeer: 4 * 1024 * 1024,
};

export class PeerServer implements RequestRouter {
  private readonly router: zmq.Router;
  private readonly handlers = new Map<RequestType, AnyHandler>();
  private readonly peers: PeerTable;
  private readonly log: Logger;
  private readonly settings: typeof DEFAULTS;
  private readonly closing = new AbortController();
  /** Handlers still running, aborted together at close() (one listener each on `closing` would pile up). */
  private readonly running = new Set<AbortController>();
  private readonly replies: ReplySender;
  private receiving: Promise<void> | undefined;
  private boundAddress: string | undefined;
  private readonly totals = newServerTotals();
  private readonly refusals: ServerRefusals;
  /** Who may connect; a ZAP handler calls its `admit` (see ConnectionGate). */
  readonly connectionGate: ConnectionGate;
  private watching: Promise<void> | undefined;
  /** This server's own context, so its ZAP handler (one per context) answers for it alone. */
  private readonly context = new zmq.Context();
  private readonly zap: ZapHandler;
  private readonly identities: RoutingIdVerifier;
  private readonly responder: KeyResponder | undefined;
  /** The server's CURVE key pair: its public key is what clients must expect. */
  readonly keys: CurveKeyPair;

  constructor(private readonly options: PeerServerOptions) {
    this.settings = {
      maxInFlightPerPeer: options.maxInFlightPerPeer ?? DEFAULTS.maxInFlightPerPeer,
      handlerTimeoutMs: options.handlerTimeoutMs ?? DEFAULTS.handlerTimeoutMs,
      errorRepliesPerSecond: options.errorRepliesPerSecond ?? DEFAULTS.errorRepliesPerSecond,
      maxTrackedPeers: options.maxTrackedPeers ?? DEFAULTS.maxTrackedPeers,
      overloadedRetryAfterMs: options.overloadedRetryAfterMs ?? DEFAULTS.overloadedRetryAfterMs,
      maxBytesPerSecondPerPeer: options.maxBytesPerSecondPerPeer ?? DEFAULTS.maxBytesPerSecondPerPeer,
    };
    this.log = (options.logger ?? silentLogger()).child({ component: 'peer-server' });
    this.peers = new PeerTable(
      this.settings.maxTrackedPeers,
      this.settings.errorRepliesPerSecond,
      this.settings.maxBytesPerSecondPerPeer,
    );
    this.keys = options.keys ?? newCurveKeyPair();
    this.identities = new RoutingIdVerifier(this.keys, this.settings.maxTrackedPeers);
    this.connectionGate = options.connectionGate ?? new ConnectionGate();
    // The gate has its say on every handshake the key check lets through, then any further rule.
    const gate = this.connectionGate;
    const admit: AdmitByAddress = (address, now) =>
      gate.admit(address, now) ?? options.admit?.(address, now) ?? null;
    this.zap = new ZapHandler(this.context, options.allow, this.log, admit);
    if (options.keyResponder !== false) this.responder = new KeyResponder(this.keys.publicKey, this.log);
    this.router = new zmq.Router({
      ...socketOptions(ROUTER_SOCKET_OPTIONS, options.socketOptions),
      context: this.context,
      curvePublicKey: this.keys.publicKey,
      curveSecretKey: this.keys.secretKey,
      zapDomain: ZAP_DOMAIN,
    });
    this.replies = new ReplySender(this.router, this.totals, this.log, this.closing.signal);
    this.refusals = new ServerRefusals(options.name, this.settings, this.totals, this.replies, this.log);
    // Every node answers ping; a node may replace this with its own.
    this.handle('ping', () => ({ reply: { name: options.name, time: Date.now() } }));
  }

  /** The bound endpoint, e.g. tcp://127.0.0.1:40123 (port resolved when bound to port 0). */
  get address(): string {
    if (this.boundAddress === undefined) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        'PeerServer.address was read before bind() finished.',
        {},
      );
    }
    return this.boundAddress;
  }

  /**
   * Called with a peer's id when a reply to it could not be routed (EHOSTUNREACH): its connection is
   * gone, so whatever the node keeps for that connection (a play client's stream) can be freed.
   * libzmq does not report a ROUTER peer's disconnect by routing id, so this is the earliest sign.
   */
  onPeerGone(listener: (peerId: string) => void): void {
    this.replies.onPeerGone(listener);
  }

  /** Registers the handler for one request type (replacing any earlier one). */
  handle<K extends RequestType>(type: K, handler: Handler<K>): this {
    this.handlers.set(type, handler as unknown as AnyHandler);
    return this;
  }

  async bind(): Promise<string> {
    // The handler must be there before the first handshake: without one, libzmq lets every key in.
    await this.zap.start();
    this.boundAddress = await bindRouter(this.router, this.options.bind);
    this.receiving = this.receiveLoop();
    this.watching = this.connectionGate.watch(this.router).catch((error: unknown) => {
      if (!this.closing.signal.aborted) this.log.warn({ err: error }, 'stopped counting connections');
    });
    const { host, port } = parseTcpAddress(this.boundAddress);
    // Without it peers need the key in the address (tcp://host:port#key); the node still serves.
    await this.responder?.bind(host, port).catch((error: unknown) => {
      this.log.warn(
        { err: error, port },
        `UDP port ${port} is taken, so peers cannot ask this node for its key; give them its address with the key instead`,
      );
    });
    this.log.info({ address: this.boundAddress }, 'peer server listening');
    return this.boundAddress;
  }

  counters(): ServerCounters {
    const gate = this.connectionGate.counters;
    return {
      ...this.totals,
      invalid: { ...this.totals.invalid },
      peersTracked: this.peers.size,
      connectionsOpen: gate.open,
      connectionsRefused: gate.refusedFull + gate.refusedRate,
      handshakesAccepted: this.zap.counters.accepted,
      handshakesRefused: this.zap.counters.refused,
      keyAsksAnswered: this.responder?.counters.answered ?? 0,
      keyAsksIgnored: (this.responder?.counters.ignored ?? 0) + (this.responder?.counters.throttled ?? 0),
    };
  }

  /** Counters of one peer by routing id (hex), or of every tracked peer. */
  peer(peerId: string): PeerSnapshot | undefined {
    return this.peers.get(peerId)?.snapshot();
  }

  peerSnapshots(): PeerSnapshot[] {
    return this.peers.all().map((peer) => peer.snapshot());
  }

  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    for (const abort of this.running) abort.abort(new Error('the peer server is closing'));
    this.router.close();
    await this.receiving;
    await this.watching;
    await this.zap.close();
    await this.responder?.close();
    // So a node restarted on this port at once finds it free (see waitForPortRelease for why not unbind).
    if (this.boundAddress !== undefined && !(await waitForPortRelease(this.boundAddress))) {
      this.log.warn({ address: this.boundAddress }, 'the port was still in use 2 s after the server closed');
    }
    // A server that never bound (its port was taken) has nothing to report: the bind error says it all.
    if (this.boundAddress !== undefined) this.log.info('peer server closed');
  }

  private async receiveLoop(): Promise<void> {
    try {
      for await (const frames of this.router) {
        try {
          this.onMessage(frames);
        } catch (error) {
          // A bug in validation must cost one message, never the server.
          this.log.error({ err: error }, 'failed to process a message');
        }
      }
    } catch (error) {
      if (!this.closing.signal.aborted) this.log.error({ err: error }, 'peer server stopped receiving');
    }
  }

  private onMessage(frames: Buffer[]): void {
    const routingId = frames[0];
    if (routingId === undefined) return;
    const body = frames.slice(1);
    const now = Date.now();
    const { peerId, peerKey } = this.identities.identify(routingId);
    const peer = this.peers.touch(peerId, now);
    peer.peerKey = peerKey;
    const bytes = frameBytes(body);
    this.totals.messagesReceived += 1;
    this.totals.bytesIn += bytes;
    peer.counters.messages += 1;
    peer.counters.bytesIn += bytes;

    let request: IncomingRequest;
    try {
      request = decodeRequest(body);
    } catch (error) {
      const problem =
        error instanceof WireProblem
          ? error
          : new WireProblem(
              'bad-field',
              'BAD_REQUEST',
              `the request could not be read: ${errorMessage(error)}`,
            );
      this.refusals.invalid(routingId, peer, problem, now);
      return;
    }
    const name = own(request as unknown as Record<string, unknown>, 'name');
    if (typeof name === 'string') peer.declaredName = name;

    if (!peer.byteBudget.take(now, bytes)) {
      this.refusals.rateLimited(routingId, peer, request, bytes, now);
      return;
    }
    if (peer.inFlight >= this.settings.maxInFlightPerPeer) {
      this.refusals.overloaded(routingId, peer, request, now);
      return;
    }
    const handler = this.handlers.get(request.type);
    if (handler === undefined) {
      this.replies.send(
        routingId,
        peer,
        encodeErrorReply(
          request.id,
          'NOT_SUPPORTED',
          `${this.options.name} does not serve ${request.type} requests`,
        ),
        true,
      );
      return;
    }
    void this.runHandler(handler, request, routingId, peer);
  }

  private async runHandler(
    handler: AnyHandler,
    request: IncomingRequest,
    routingId: Buffer,
    peer: PeerState,
  ): Promise<void> {
    peer.inFlight += 1;
    const abort = new AbortController();
    this.running.add(abort);
    let timer: NodeJS.Timeout | undefined;
    const context: PeerContext = {
      routingId,
      peerId: peer.peerId,
      peerKey: peer.peerKey,
      peerAddress: peer.peerKey === undefined ? undefined : this.zap.addressOf(peer.peerKey),
      declaredName: peer.declaredName,
      signal: abort.signal,
    };
    let frames: Frame[];
    let isError = true;
    try {
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.settings.handlerTimeoutMs);
      });
      const result = await Promise.race([Promise.resolve().then(() => handler(request, context)), timedOut]);
      if (result === 'timeout') {
        this.totals.handlerTimeouts += 1;
        abort.abort(new Error('handler timed out'));
        frames = encodeErrorReply(
          request.id,
          'TIMEOUT',
          `${this.options.name} did not finish ${request.type} within ${this.settings.handlerTimeoutMs} ms`,
        );
      } else {
        frames = resultFrames(request, result);
        isError = false;
      }
    } catch (error) {
      this.totals.handlerErrors += 1;
      frames = errorReplyFrames(request, error, this.options.name, this.log);
    } finally {
      clearTimeout(timer);
      this.running.delete(abort);
      peer.inFlight -= 1;
    }
    if (!this.closing.signal.aborted) this.replies.send(routingId, peer, frames, isError);
  }
}
