/**
 * The node's control channel: an owner-only Unix socket, or on Windows a named pipe, whose requests
 * carry the store's control token, through which the `peerstreamer` CLI adds, lists, verifies and
 * exports while the node keeps the store locked and keeps serving. See docs/PROTOCOL.md, "The
 * control channel".
 */
import net from 'node:net';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import { planEndpoint, type ControlEndpoint } from './endpoint.js';
import type { ControlHandlers } from './handlers.js';
import { CLOSE_GRACE_MS, MAX_CONNECTIONS } from './limits.js';
import { listenPipe, releasePipe } from './pipe-endpoint.js';
import { ControlProblem } from './errors.js';
import { encodeError } from './schema.js';
import { ControlSession, type SessionCounters } from './session.js';
import { removeFile } from './small-files.js';
import { canonicalStoreDir } from './socket-path.js';
import { createToken, tokenFile, writeTokenFile, type ControlAccess } from './token.js';
import type { ControlTransport, ControlTransportOptions } from './transport.js';
import { listenUnixSocket, prepareUnixSocket, releaseUnixSocket } from './unix-endpoint.js';

export interface ControlServerOptions extends ControlTransportOptions {
  /** The store's absolute path: the socket lives in it, or is named by a pointer file in it. */
  storeDir: string;
  handlers: ControlHandlers;
  logger: Logger;
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
  /** Aborted first thing in shutDown: commands that outlive their client (verify) watch it. */
  private readonly stopping = new AbortController();

  private constructor(
    private readonly server: net.Server,
    private readonly endpoint: ControlEndpoint,
    private readonly storeDir: string,
    private readonly access: ControlAccess,
    private readonly options: ControlServerOptions,
  ) {
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (error) => options.logger.error({ err: error }, 'control socket failed'));
  }

  /**
   * Opens the store's control channel. A fresh token is written to the store first (replacing one a
   * killed node left), then the socket or pipe is opened; if that fails, the token goes again, so a
   * store whose node has no channel holds no token a client could send to whoever has the name.
   */
  static async listen(options: ControlServerOptions): Promise<ControlServer> {
    // The real path: a client reaching the store through a symlink measures the same string.
    const storeDir = await canonicalStoreDir(options.storeDir);
    const platform = options.platform ?? process.platform;
    const endpoint = planEndpoint(storeDir, options);
    if (endpoint.transport === 'unix') await prepareUnixSocket(endpoint, storeDir, options.logger);
    if (existsSync(tokenFile(storeDir))) {
      options.logger.info('replacing the control token of a node that did not stop cleanly');
    }
    const access: ControlAccess = { token: createToken() };
    await writeTokenFile(storeDir, access.token, platform);
    const server = net.createServer();
    try {
      if (endpoint.transport === 'unix') await listenUnixSocket(server, endpoint);
      else await listenPipe(server, endpoint, platform);
    } catch (error) {
      server.close();
      await removeFile(tokenFile(storeDir));
      if (endpoint.transport === 'pipe') await releasePipe(endpoint);
      throw error;
    }
    return new ControlServer(server, endpoint, storeDir, access, options);
  }

  /** Where the node listens: the socket's path, or the pipe's name. */
  get socketPath(): string {
    return this.endpoint.path;
  }

  get transport(): ControlTransport {
    return this.endpoint.transport;
  }

  counters(): ControlCounters {
    return { ...structuredClone(this.totals), open: this.sessions.size };
  }

  /**
   * Stops accepting, cancels running commands (their clients get NODE_STOPPING), waits for them to
   * let go of the store (however long that takes: the caller closes the store next), and removes the
   * socket and pointer file. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const message = 'the node is stopping; run the command again once it is back';
    this.stopping.abort(new ControlProblem('NODE_STOPPING', message));
    for (const session of this.sessions) session.stop();
    const settled = Promise.all([...this.sessions].map((session) => session.settled));
    const grace = new AbortController();
    const inTime = await Promise.race([
      settled.then(() => true),
      sleep(CLOSE_GRACE_MS, false, { signal: grace.signal }).catch(() => true),
    ]);
    grace.abort();
    // Clients that do not read their last lines are cut off; the commands themselves are waited for,
    // since the store closes after this returns and a command still using it would fail half done.
    for (const session of this.sessions) session.destroy();
    if (!inTime) this.options.logger.warn('waiting for control commands to let go of the store');
    await settled;
    await closed;
    const endpoint = this.endpoint;
    const released = endpoint.transport === 'unix' ? releaseUnixSocket(endpoint) : releasePipe(endpoint);
    await released.catch((error: unknown) =>
      this.options.logger.warn({ error: errorMessage(error) }, 'could not remove the control socket'),
    );
    await removeFile(tokenFile(this.storeDir)).catch(() => undefined);
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
      this.access,
      this.totals,
      this.options.logger,
      this.stopping.signal,
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
