/**
 * One control connection on the node's side: read exactly one request line (bounded, within a
 * deadline), run the command, send its events and one final line, close. Every problem a client can
 * cause ends as an `error` line and a closed connection, never as an exception in the node. A client
 * that closes its side before the final line cancels the command (an add keeps nothing).
 */
import type { Socket } from 'node:net';
import { finished } from 'node:stream/promises';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import { DataFrameWriter } from './data-writer.js';
import { ControlProblem, wireErrorOf } from './errors.js';
import { FrameReader } from './framing.js';
import type { ControlHandlers } from './handlers.js';
import {
  MAX_QUEUED_PROGRESS_BYTES,
  MAX_REQUEST_LINE_BYTES,
  PROGRESS_INTERVAL_MS,
  REQUEST_WAIT_MS,
} from './limits.js';
import type { ControlRequest, IngestProgressEvent } from './messages.js';
import { encodeError, encodeEvent, encodeResult, parseRequestEnvelope, readRequest } from './schema.js';
import { authorize, type ControlAccess } from './token.js';

export interface SessionCounters {
  /** Commands that started, by command. */
  commands: Record<string, number>;
  /** Error lines sent, by code. */
  errors: Record<string, number>;
  /** Commands cancelled because their client left. */
  cancelled: number;
}

export class ControlSession {
  /** Resolves once the command (if any) has settled: nothing of this session touches the store after. */
  readonly settled: Promise<void>;
  private settle!: () => void;
  private request: ControlRequest | undefined;
  private finalSent = false;
  private readonly abort = new AbortController();
  private stopReason: { code: string; message: string } | null = null;
  private readonly waitTimer: NodeJS.Timeout;
  private readonly reader = new FrameReader(
    MAX_REQUEST_LINE_BYTES,
    (limit) =>
      new ControlProblem(
        'REQUEST_TOO_LARGE',
        `the request line is longer than ${limit} bytes; a request is one JSON object on one line`,
      ),
  );

  constructor(
    private readonly socket: Socket,
    private readonly handlers: ControlHandlers,
    private readonly access: ControlAccess,
    private readonly counters: SessionCounters,
    private readonly logger: Logger,
    /** Aborts when the node stops: the one thing that ends a verify (see ControlHandlers.verify). */
    private readonly nodeStopping: AbortSignal,
    requestWaitMs = REQUEST_WAIT_MS,
  ) {
    this.settled = new Promise((resolve) => (this.settle = resolve));
    this.waitTimer = setTimeout(
      () =>
        this.refuse(
          new ControlProblem(
            'TIMEOUT',
            `no request line within ${requestWaitMs} ms; send the request as soon as you connect`,
          ),
        ),
      requestWaitMs,
    );
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // The client keeps its side open until the final line; closing it earlier means "cancel".
    socket.on('end', () => this.clientLeft());
    socket.on('close', () => {
      clearTimeout(this.waitTimer);
      this.clientLeft();
      if (this.request === undefined) this.settle();
    });
    socket.on('error', (error) =>
      this.logger.debug({ error: errorMessage(error) }, 'control connection error'),
    );
  }

  /** Cancels the command because the node stops; the client is told so. */
  stop(): void {
    this.stopReason = {
      code: 'NODE_STOPPING',
      message: 'the node is stopping; run the command again once it is back',
    };
    this.abort.abort(new ControlProblem('NODE_STOPPING', this.stopReason.message));
    if (this.request === undefined) this.refuse(new ControlProblem('NODE_STOPPING', this.stopReason.message));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.finalSent) return;
    if (this.request !== undefined) {
      this.refuse(
        new ControlProblem(
          'BAD_REQUEST',
          'one request per connection: wait for the final line, then connect again',
        ),
      );
      return;
    }
    try {
      for (const piece of this.reader.push(chunk)) {
        if (piece.kind !== 'line') continue;
        this.begin(piece.line);
        break;
      }
      if (this.request !== undefined && this.reader.midMessage) {
        this.refuse(
          new ControlProblem(
            'BAD_REQUEST',
            'one request per connection: nothing may follow the request line',
          ),
        );
      }
    } catch (error) {
      this.refuse(error);
    }
  }

  private begin(line: Buffer): void {
    clearTimeout(this.waitTimer);
    const envelope = parseRequestEnvelope(line);
    // Who asks comes before what is asked: a sender without the token learns nothing of the commands.
    authorize(this.access, envelope.token);
    const request = readRequest(envelope);
    this.request = request;
    this.counters.commands[request.type] = (this.counters.commands[request.type] ?? 0) + 1;
    this.run(request)
      .then((final) => this.sendFinal(final))
      .catch((error: unknown) => this.sendFinal(this.errorLine(request, error)))
      .finally(() => this.settle());
  }

  private async run(request: ControlRequest): Promise<string> {
    const signal = this.abort.signal;
    switch (request.type) {
      case 'add': {
        const progress = new ProgressRelay(this.socket);
        const manifest = await this.handlers.add(request, {
          signal,
          progress: (p) => progress.offer(p),
          // Notices are rare and matter to the person: never dropped like superseded progress.
          notice: (notice) =>
            void this.write(encodeEvent({ type: 'notice', ...notice })).catch(() => undefined),
        });
        progress.flush();
        return encodeResult('add', { manifest });
      }
      case 'ls': {
        const videos = await this.handlers.ls();
        for (const video of videos) {
          signal.throwIfAborted();
          await this.write(encodeEvent({ type: 'video', video }));
        }
        return encodeResult('ls', { count: videos.length });
      }
      case 'verify':
        // Runs to the end even if the client leaves (what it found bad is already dropped), but not
        // past the node's stop: the store closes after.
        return encodeResult('verify', { report: await this.handlers.verify(this.nodeStopping) });
      // Not cancelled by a client that leaves: a stream runs on the node, not in the connection.
      case 'live-start':
        return encodeResult('live-start', { session: await this.handlers.liveStart(request) });
      case 'live-stop':
        return encodeResult('live-stop', await this.handlers.liveStop(request));
      case 'live-list':
        return encodeResult('live-list', { sessions: await this.handlers.liveList() });
      case 'export': {
        const out = new DataFrameWriter(this.socket);
        // A write that fails because the client left is reported through the signal, which the
        // export watches; without a listener here such an 'error' would take the node down.
        out.on('error', () => undefined);
        try {
          const result = await this.handlers.export(request, out, signal);
          out.end();
          await finished(out);
          return encodeResult('export', { bytes: out.bytes, chunks: result.chunks });
        } finally {
          out.destroy();
        }
      }
    }
  }

  private errorLine(request: ControlRequest, error: unknown): string {
    // The client left and cancelled: whatever the command threw on the way out, nobody reads it.
    if (this.abort.signal.aborted && this.stopReason === null) return encodeError('BAD_REQUEST', 'cancelled');
    const wire = this.stopReason ?? wireErrorOf(error);
    if (wire !== null) {
      if (!this.finalSent) this.logger.info({ command: request.type, code: wire.code }, wire.message);
      return this.count(encodeError(wire.code, wire.message), wire.code);
    }
    this.logger.error({ command: request.type, err: error }, `control command ${request.type} failed`);
    return this.count(
      encodeError(
        'INTERNAL',
        `the node failed to run ${request.type} (${errorMessage(error).slice(0, 200)}); its log has the details`,
      ),
      'INTERNAL',
    );
  }

  private count(line: string, code: string): string {
    this.counters.errors[code] = (this.counters.errors[code] ?? 0) + 1;
    return line;
  }

  /** Answers a line the node could not accept, and closes: a broken client gets no second chance. */
  private refuse(error: unknown): void {
    clearTimeout(this.waitTimer);
    if (this.finalSent) return;
    const wire = wireErrorOf(error) ?? { code: 'INTERNAL', message: errorMessage(error) };
    this.abort.abort(new ControlProblem('BAD_REQUEST', wire.message));
    if (wire.code === 'UNAUTHORIZED') {
      // A client of this user always has the token: this is a stale client or someone else trying.
      this.logger.warn({ code: wire.code }, `control request refused: ${wire.message}`);
    } else this.logger.debug({ code: wire.code }, `control line refused: ${wire.message}`);
    this.sendFinal(this.count(encodeError(wire.code, wire.message), wire.code));
  }

  private clientLeft(): void {
    if (this.finalSent || this.abort.signal.aborted) return;
    if (this.request !== undefined) {
      this.counters.cancelled += 1;
      this.logger.info({ command: this.request.type }, 'control client left; command cancelled');
    }
    this.abort.abort(new ControlProblem('BAD_REQUEST', 'the client closed the connection'));
  }

  private sendFinal(line: string): void {
    if (this.finalSent) return;
    this.finalSent = true;
    // Once the line is with the kernel the connection is done: a Unix socket's peer can still read
    // it, and a client that never closes its side does not keep holding a connection slot.
    if (this.socket.writable) this.socket.end(line, () => this.socket.destroy());
    else this.socket.destroy();
  }

  /** Writes one line, waiting while the client reads slowly; fails once the client is gone. */
  private write(line: string): Promise<void> {
    if (!this.socket.writable) return Promise.reject(new ControlProblem('BAD_REQUEST', 'the client is gone'));
    if (this.socket.write(line)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (error?: Error): void => {
        this.socket.off('drain', onDrain);
        this.socket.off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onDrain = (): void => done();
      const onClose = (): void => done(new ControlProblem('BAD_REQUEST', 'the client is gone'));
      this.socket.on('drain', onDrain);
      this.socket.on('close', onClose);
    });
  }
}

/**
 * Passes ingest progress on at most every PROGRESS_INTERVAL_MS, dropping (not queueing) updates while
 * a slow client has not read the previous ones; the latest is flushed before the result, so the
 * client's bar ends where a direct add's would.
 */
class ProgressRelay {
  private lastSent = 0;
  private pending: IngestProgressEvent | null = null;

  constructor(private readonly socket: Socket) {}

  offer(progress: IngestProgressEvent): void {
    this.pending = progress;
    const now = Date.now();
    if (now - this.lastSent < PROGRESS_INTERVAL_MS) return;
    this.lastSent = now;
    this.flush();
  }

  flush(): void {
    const progress = this.pending;
    this.pending = null;
    if (progress === null || !this.socket.writable) return;
    if (this.socket.writableLength > MAX_QUEUED_PROGRESS_BYTES) return;
    this.socket.write(encodeEvent({ type: 'progress', ...progress }));
  }
}
