/**
 * The node's control socket: a Unix socket that only the node's own user can open, through which
 * the `peerstreamer` CLI adds, lists, verifies and exports while the node keeps the store locked and
 * keeps serving. See docs/PROTOCOL.md, "The control channel".
 */
import net from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import type { ControlHandlers } from './handlers.js';
import { CLOSE_GRACE_MS, MAX_CONNECTIONS } from './limits.js';
import { encodeError } from './schema.js';
import { ControlSession, type SessionCounters } from './session.js';
import { canonicalStoreDir, planSocket, type SocketPlan } from './socket-path.js';
import {
  assertPrivateSocket,
  assertStoreDirGuarded,
  clearStaleSocket,
  ensurePrivateDir,
  removeFile,
  writePointer,
} from './socket-guard.js';

export interface ControlServerOptions {
  /** The store's absolute path: the socket lives in it, or is named by a pointer file in it. */
  storeDir: string;
  handlers: ControlHandlers;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** For tests: how long a connection may stay silent before its request line. */
  requestWaitMs?: number;
  maxConnections?: number;
}

export interface ControlCounters extends SessionCounters {
  connections: number;
  /** Connections open now (a command that never finishes would keep one). */
  open: number;
  /** Connections turned away because MAX_CONNECTIONS were open. */
  busy: number;
}

export class ControlServer {
  private readonly sessions = new Set<ControlSession>();
  private readonly totals: Omit<ControlCounters, 'open'> = {
    connections: 0,
    busy: 0,
    commands: {},
    errors: {},
    cancelled: 0,
  };
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly server: net.Server,
    private readonly plan: SocketPlan,
    private readonly options: ControlServerOptions,
  ) {
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (error) => options.logger.error({ err: error }, 'control socket failed'));
  }

  /**
   * Listens on the store's control socket: a socket left by a node that was killed is removed first,
   * the socket is created with mode 0600 (no moment exists when others could connect), and its owner
   * and mode are checked before anything is accepted.
   */
  static async listen(options: ControlServerOptions): Promise<ControlServer> {
    // The real path: a client reaching the store through a symlink measures the same string.
    const storeDir = await canonicalStoreDir(options.storeDir);
    const plan = planSocket(storeDir, options.env);
    await assertStoreDirGuarded(storeDir);
    if (plan.privateDir !== null) await ensurePrivateDir(plan.privateDir);
    if ((await clearStaleSocket(plan.socket)) === 'removed') {
      options.logger.info(
        { socket: plan.socket },
        'removed a control socket left by a node that did not stop cleanly',
      );
    }
    const server = net.createServer();
    // bind(2) runs inside listen(), synchronously: the umask makes the socket 0600 from its first
    // moment. (A file another thread creates in that instant gets 0600 too, which only makes it private.)
    const previous = process.umask(0o177);
    try {
      server.listen(plan.socket);
    } finally {
      process.umask(previous);
    }
    try {
      await once(server, 'listening');
      await assertPrivateSocket(plan.socket);
      if (plan.privateDir !== null) await writePointer(plan.pointer, plan.socket);
      else await removeFile(plan.pointer);
    } catch (error) {
      server.close();
      await removeFile(plan.socket);
      throw error;
    }
    return new ControlServer(server, plan, options);
  }

  get socketPath(): string {
    return this.plan.socket;
  }

  counters(): ControlCounters {
    return { ...structuredClone(this.totals), open: this.sessions.size };
  }

  /**
   * Stops accepting, cancels running commands (their clients get NODE_STOPPING), waits for them to
   * let go of the store, and removes the socket and pointer file. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const session of this.sessions) session.stop();
    const settled = Promise.all([...this.sessions].map((session) => session.settled));
    const grace = new AbortController();
    await Promise.race([
      settled,
      sleep(CLOSE_GRACE_MS, undefined, { signal: grace.signal }).catch(() => undefined),
    ]);
    grace.abort();
    for (const session of this.sessions) session.destroy();
    await closed;
    await removeFile(this.plan.socket).catch((error: unknown) =>
      this.options.logger.warn({ error: errorMessage(error) }, 'could not remove the control socket'),
    );
    if (this.plan.privateDir !== null) await removeFile(this.plan.pointer).catch(() => undefined);
  }

  private accept(socket: net.Socket): void {
    this.totals.connections += 1;
    if (this.closing !== null || this.sessions.size >= (this.options.maxConnections ?? MAX_CONNECTIONS)) {
      this.totals.busy += 1;
      socket.on('error', () => undefined);
      this.refuseConnection(socket);
      return;
    }
    const session = new ControlSession(
      socket,
      this.options.handlers,
      this.totals,
      this.options.logger,
      this.options.requestWaitMs,
    );
    this.sessions.add(session);
    socket.once('close', () => void session.settled.then(() => this.sessions.delete(session)));
  }

  /** One error line, then the connection is dropped without reading what the client sent. */
  private refuseConnection(socket: net.Socket): void {
    const line =
      this.closing !== null
        ? encodeError('NODE_STOPPING', 'the node is stopping; run the command again once it is back')
        : encodeError(
            'BUSY',
            `the node already serves ${this.sessions.size} control connections; try again shortly`,
          );
    socket.end(line, () => socket.destroy());
  }
}
