/**
 * One DEALER connected to one remote address, shared by every request to that address. Requests are
 * matched to replies by id, so many can be in flight at once; beyond the per-remote cap they wait
 * in a local queue. Every request carries its own deadline and fails at it, whatever state it is
 * in, so a dead or restarted peer never leaves a caller hanging. Where libzmq reports the peer gone
 * (a refused connection, or a closed one), the requests it concerns fail at once instead.
 */
import * as zmq from 'zeromq';
import type { Logger } from '../util/logger.js';
import { decodeReply, type Frame } from '../protocol/codec.js';
import { replyMismatch } from '../protocol/match.js';
import type { IncomingReply, OkReply, Request } from '../protocol/messages.js';
import { WireProblem } from '../protocol/problems.js';
import { remoteError } from './remote-error.js';
import { DEALER_SOCKET_OPTIONS, socketOptions, type DealerOptions } from './socket-options.js';
import type { ClientCounters } from './client-counters.js';
import { AbortGroups } from './abort-groups.js';
import { frameBytes } from './frame-bytes.js';
import type { CurveKeyPair } from './curve-keys.js';
import { routingIdFor } from './routing-proof.js';
import {
  closedUnderRequest,
  connectionClosed,
  connectionLost,
  connectionRefused,
  connectionTurnedAway,
  invalidReply,
  noAnswer,
  noConnection,
  queueFull,
  sendFailed,
  wrongAnswer,
} from './request-errors.js';

export interface ConnectionSettings {
  maxInFlight: number;
  maxQueued: number;
  socketOptions?: Partial<DealerOptions>;
  /** This client's key pair: it proves it in the handshake and in its routing id. */
  keys: CurveKeyPair;
  /**
   * The server's public key, which CURVE needs before it connects: known at once (an address with
   * `#key`, a pinned one) or learned first (server-keys.ts). A failure fails every waiting request.
   */
  serverKey: Promise<string>;
}

type State = 'queued' | 'sending' | 'sent' | 'done';

export interface PendingRequest {
  readonly id: number;
  readonly request: Request;
  readonly frames: Frame[];
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly resolve: (reply: IncomingReply) => void;
  readonly reject: (error: unknown) => void;
  readonly signal?: AbortSignal;
}

interface Entry extends PendingRequest {
  state: State;
  timer?: NodeJS.Timeout;
}

// Remember this many abandoned ids so their late replies are told apart from garbage.
const ABANDONED_MEMORY = 4096;

export class Connection {
  private readonly socket: zmq.Dealer;
  private readonly entries = new Map<number, Entry>();
  private readonly queue: Entry[] = [];
  private readonly abandoned = new Set<number>();
  private readonly bySignal = new AbortGroups<Entry>((entry, reason) =>
    this.settle(entry, { error: reason }),
  );
  private inFlight = 0;
  private pumping = false;
  /** When the send in progress started; a send that takes long means no connection (ZMQ_IMMEDIATE). */
  private sendStartedAt: number | undefined;
  private closed = false;
  /** Connected to a server whose key is known; requests wait (queued) until then. */
  private connected = false;
  /** Why the server's key could not be had; the client replaces a connection that failed so. */
  failed: unknown = undefined;
  private receiving: Promise<void> = Promise.resolve();
  /** The TCP connection under the socket has completed its handshake and not closed since. */
  private linkUp = false;
  /** libzmq schedules a reconnect right after a disconnect: that retry is not a refusal. */
  private retryAfterLoss = false;
  lastActive = Date.now();

  constructor(
    readonly address: string,
    private readonly settings: ConnectionSettings,
    private readonly counters: ClientCounters,
    private readonly log: Logger,
  ) {
    this.socket = new zmq.Dealer({
      ...socketOptions(DEALER_SOCKET_OPTIONS, settings.socketOptions),
      curvePublicKey: settings.keys.publicKey,
      curveSecretKey: settings.keys.secretKey,
    });
    this.counters.connectionsOpened += 1;
    settings.serverKey.then(
      (key) => this.connect(key),
      (error: unknown) => this.fail(error),
    );
  }

  private connect(serverKey: string): void {
    if (this.closed) return;
    this.socket.curveServerKey = serverKey;
    this.socket.routingId = routingIdFor(this.settings.keys, serverKey);
    // The observer must exist before connect(): events from before it are not kept.
    void this.watchLink(this.socket.events);
    this.socket.connect(this.address);
    this.connected = true;
    this.receiving = this.receiveLoop();
    this.schedulePump();
  }

  /** No key, no connection: every request waiting fails with the reason, and so does this connection. */
  private fail(error: unknown): void {
    if (this.closed) return;
    this.failed = error;
    for (const entry of [...this.entries.values()]) this.settle(entry, { error });
  }

  /** No requests waiting or in flight. */
  get idle(): boolean {
    return this.entries.size === 0;
  }

  submit(pending: PendingRequest): void {
    if (this.closed) {
      pending.reject(connectionClosed(this.address, pending.request.type));
      return;
    }
    if (this.failed !== undefined) {
      pending.reject(this.failed);
      return;
    }
    if (this.queue.length >= this.settings.maxQueued) {
      pending.reject(queueFull(this.address, pending.request.type, this.queue.length, this.inFlight));
      return;
    }
    const entry: Entry = { ...pending, state: 'queued' };
    if (pending.signal) this.bySignal.watch(entry, pending.signal);
    entry.timer = setTimeout(() => this.onDeadline(entry), Math.max(0, pending.deadline - Date.now()));
    this.entries.set(entry.id, entry);
    this.queue.push(entry);
    this.lastActive = Date.now();
    this.schedulePump();
  }

  async close(reason: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const entry of [...this.entries.values()]) {
      this.settle(entry, { error: closedUnderRequest(this.address, entry.request.type, reason) });
    }
    this.socket.close();
    this.counters.connectionsClosed += 1;
    // The link watcher ends by itself once libzmq reports the socket closed; nothing waits on it.
    await this.receiving;
  }

  /**
   * Follows the TCP connection under the socket as libzmq reports it, so a request learns at once
   * what its deadline would tell it only seconds later. A peer that closed the connection (stopped,
   * or crashed: its kernel closes its sockets at once) will not answer what was sent to it. A
   * connection refused (nothing listens there) or turned away in the handshake carries nothing that
   * waits to be sent. Requests fail UNREACHABLE, as at their deadline; libzmq goes on reconnecting,
   * and later requests go through as soon as the peer is back.
   */
  private async watchLink(events: zmq.Observer): Promise<void> {
    try {
      for await (const event of events) {
        if (event.type === 'handshake') {
          this.linkUp = true;
        } else if (event.type === 'disconnect') {
          this.onLinkLost();
        } else if (event.type === 'connect:retry') {
          if (this.retryAfterLoss) this.retryAfterLoss = false;
          else if (!this.linkUp) this.failUnsent();
        } else if (event.type === 'handshake:error:auth') {
          this.failUnsent(connectionTurnedAway);
        } else if (event.type.startsWith('handshake:error')) {
          this.failUnsent();
        }
      }
    } catch (error) {
      if (!this.closed)
        this.log.debug({ err: error, address: this.address }, 'stopped following the connection');
    }
  }

  private onLinkLost(): void {
    this.linkUp = false;
    this.retryAfterLoss = true;
    for (const entry of [...this.entries.values()]) {
      if (entry.state !== 'sent') continue;
      this.counters.unreachable += 1;
      this.settle(entry, { error: connectionLost(this.address, entry.request.type) });
    }
  }

  private failUnsent(why = connectionRefused): void {
    for (const entry of [...this.entries.values()]) {
      if (entry.state !== 'queued' && entry.state !== 'sending') continue;
      this.counters.unreachable += 1;
      this.settle(entry, { error: why(this.address, entry.request.type) });
    }
  }

  private onDeadline(entry: Entry): void {
    const now = Date.now();
    const blocked =
      !this.connected ||
      entry.state === 'sending' ||
      (entry.state === 'queued' && this.sendStartedAt !== undefined && now - this.sendStartedAt >= 10);
    const type = entry.request.type;
    if (blocked) {
      this.counters.unreachable += 1;
      this.settle(entry, { error: noConnection(this.address, type, entry.timeoutMs) });
      return;
    }
    this.counters.timeouts += 1;
    this.settle(entry, { error: noAnswer(this.address, type, entry.timeoutMs, entry.id) });
  }

  private settle(entry: Entry, outcome: { reply: IncomingReply } | { error: unknown }): void {
    if (entry.state === 'done') return;
    const wasOut = entry.state === 'sending' || entry.state === 'sent';
    entry.state = 'done';
    clearTimeout(entry.timer);
    if (entry.signal) this.bySignal.unwatch(entry, entry.signal);
    this.entries.delete(entry.id);
    this.lastActive = Date.now();
    if (wasOut) {
      this.inFlight -= 1;
      if ('error' in outcome) this.rememberAbandoned(entry.id);
    }
    if ('reply' in outcome) entry.resolve(outcome.reply);
    else entry.reject(outcome.error);
    if (wasOut) this.schedulePump();
  }

  private rememberAbandoned(id: number): void {
    this.abandoned.add(id);
    if (this.abandoned.size > ABANDONED_MEMORY) {
      const oldest = this.abandoned.values().next();
      if (oldest.done !== true) this.abandoned.delete(oldest.value);
    }
  }

  private pumpScheduled = false;

  /**
   * Sends are batched per event-loop turn: requests issued while replies are being processed go out
   * together, so libzmq wakes its I/O thread once per batch rather than once per request.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      void this.pump();
    });
  }

  /** Hands queued requests to the socket, one send at a time (zeromq allows one pending send). */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed && this.connected && this.inFlight < this.settings.maxInFlight) {
        const entry = this.queue.shift();
        if (entry === undefined) break;
        if (entry.state !== 'queued') continue;
        const remaining = entry.deadline - Date.now();
        if (remaining <= 0) continue; // its timer is about to fire
        entry.state = 'sending';
        this.inFlight += 1;
        this.sendStartedAt = Date.now();
        try {
          await this.send(entry.frames, remaining);
          this.counters.requestsSent += 1;
          this.counters.bytesOut += frameBytes(entry.frames);
          if (entry.state === 'sending') entry.state = 'sent';
        } catch (error) {
          if (entry.state === 'sending') {
            const code = (error as { code?: string }).code;
            if (code === 'EAGAIN') {
              this.onDeadline(entry);
            } else {
              this.settle(entry, { error: sendFailed(this.address, entry.request.type, error) });
            }
          }
        } finally {
          this.sendStartedAt = undefined;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /**
   * Sends at once when the connection can take the message (ZMQ_SNDTIMEO 0, the common case). When it
   * cannot (no connection yet under ZMQ_IMMEDIATE, or the high-water mark), waits for it no longer
   * than the request may wait in total, then rejects with EAGAIN.
   */
  private async send(frames: Frame[], remainingMs: number): Promise<void> {
    try {
      await this.socket.send(frames);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EAGAIN') throw error;
    }
    this.socket.sendTimeout = remainingMs;
    try {
      await this.socket.send(frames);
    } finally {
      if (!this.closed) this.socket.sendTimeout = 0;
    }
  }

  private async receiveLoop(): Promise<void> {
    try {
      for await (const frames of this.socket) {
        try {
          this.onReply(frames);
        } catch (error) {
          this.log.error({ err: error, address: this.address }, 'failed to process a reply');
        }
      }
    } catch (error) {
      if (!this.closed) this.log.error({ err: error, address: this.address }, 'stopped receiving replies');
    }
  }

  private onReply(frames: Buffer[]): void {
    this.counters.bytesIn += frameBytes(frames);
    this.lastActive = Date.now();
    let incoming: IncomingReply;
    try {
      incoming = decodeReply(frames);
    } catch (error) {
      this.counters.invalidReplies += 1;
      const problem = error instanceof WireProblem ? error : undefined;
      const entry = problem && problem.id !== 0 ? this.entries.get(problem.id) : undefined;
      this.log.debug({ address: this.address, err: error }, 'invalid reply');
      if (entry !== undefined && entry.state !== 'queued') {
        this.settle(entry, { error: invalidReply(this.address, entry.request.type, error, problem?.reason) });
      }
      return;
    }
    const entry = this.entries.get(incoming.id);
    if (entry === undefined || entry.state === 'queued') {
      if (this.abandoned.delete(incoming.id)) this.counters.lateReplies += 1;
      else this.counters.unknownReplies += 1;
      return;
    }
    this.counters.repliesReceived += 1;
    const { reply } = incoming;
    if (reply.type === 'error') {
      this.counters.errorReplies += 1;
      this.settle(entry, { error: remoteError(this.address, entry.request.type, reply) });
      return;
    }
    const mismatch = replyMismatch(entry.request, reply as OkReply);
    if (mismatch !== null) {
      this.counters.invalidReplies += 1;
      this.settle(entry, { error: wrongAnswer(this.address, entry.request.type, mismatch) });
      return;
    }
    this.settle(entry, { reply: incoming });
  }
}
