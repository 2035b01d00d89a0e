import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGateway, createGatewayToken, serveGatewayHttp, type ServedGateway } from '../gateway/index.js';
import { NodeBackend } from './node-backend.js';
import type { PeerNode } from './peer-node.js';

/** Where the built renderer sits relative to the compiled core (dist/core/node -> dist/renderer). */
export function rendererDir(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.resolve(here, '..', '..', 'renderer'),
    path.resolve(here, '..', '..', 'dist', 'renderer'),
  ];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
}

export interface UiServer {
  /** The URL to open, carrying the per-run token once (the page swaps it for a cookie). */
  url: string;
  served: ServedGateway;
  close(): Promise<void>;
}

/**
 * Serves a node's player over loopback HTTP: the gateway (API, HLS, renderer) with a fresh token,
 * accepting only the Host names this server is actually reached by.
 */
export async function serveNodeUi(
  node: PeerNode,
  options: { host: string; port: number },
): Promise<UiServer> {
  const backend = new NodeBackend(node);
  const token = createGatewayToken();
  const staticDir = rendererDir();
  const allowedHosts = [
    '127.0.0.1',
    'localhost',
    '[::1]',
    ...(options.host === '0.0.0.0' ? [] : [options.host]),
  ];
  const gateway = createGateway({
    backend,
    token,
    allowedHosts,
    logger: node.logger,
    ...(staticDir ? { staticDir } : {}),
  });
  const served = await serveGatewayHttp(gateway, { host: options.host, port: options.port });
  if (!staticDir) node.logger.warn('the player is not built (npm run build); serving the API only');
  return {
    url: `${served.url}?token=${token}`,
    served,
    close: async () => {
      backend.close();
      await served.close();
    },
  };
}
