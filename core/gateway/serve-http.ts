import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PeerStreamerError } from '../util/errors.js';
import type { Gateway } from './gateway.js';

export interface ServeOptions {
  /** Loopback by default: the gateway is the player's API, not a public server. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface ServedGateway {
  /** e.g. http://127.0.0.1:43123/ (without the token). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves a gateway over HTTP for headless nodes and for any browser, and tests. */
export async function serveGatewayHttp(gateway: Gateway, options: ServeOptions = {}): Promise<ServedGateway> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  // The port this server listens on, not the one a Host header names, fixes our origin (0 until bound;
  // no request arrives before then).
  const arrival = { protocol: 'http:', port: 0 };
  const server = createAdaptorServer({ fetch: (request) => gateway.fetch(request, arrival) }) as Server;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(
          new PeerStreamerError(
            'PORT_IN_USE',
            `Port ${port} on ${host} is already in use; pick another with --port, or 0 for any free port.`,
            { host, port },
            { cause: error },
          ),
        );
      } else reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
  const actual = (server.address() as AddressInfo).port;
  arrival.port = actual;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${actual}/`,
    port: actual,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Live-update streams never end on their own; drop them so close() does not wait forever.
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
