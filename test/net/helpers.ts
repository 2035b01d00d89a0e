/** Real sockets on 127.0.0.1 with ports chosen by the kernel (bind to port 0), so test files never collide. */
import * as zmq from 'zeromq';
import { PeerServer, type PeerServerOptions } from '../../core/net/server.js';
import { sha256Hex } from '../../core/util/hash.js';
import { PeerStreamerError } from '../../core/util/errors.js';
import { getBody, replies } from '../protocol/fixtures.js';
import { newCurveKeyPair, type CurveKeyPair } from '../../core/net/curve-keys.js';
import { peerIdOf } from '../../core/net/routing-proof.js';

export const LOOPBACK_ANY_PORT = 'tcp://127.0.0.1:0';

export async function startServer(options: Partial<PeerServerOptions> = {}): Promise<PeerServer> {
  const server = new PeerServer({ bind: LOOPBACK_ANY_PORT, name: 'server', ...options });
  await server.bind();
  return server;
}

/**
 * Binds on a port another server just released. PeerServer.close() waits until the port can be bound
 * again, so it is free the moment close() resolves: no retry here, or a late release would go unnoticed.
 */
export async function startServerOn(
  address: string,
  options: Partial<PeerServerOptions> = {},
): Promise<PeerServer> {
  const server = new PeerServer({ bind: address, name: 'server', ...options });
  await server.bind();
  return server;
}

/** A promise and the function that settles it, for tests that decide when something happens. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** A chunk of `size` pseudo-random bytes, so a misplaced byte cannot go unnoticed. */
export function chunkOf(size: number, seed = 1): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

/** Serves every request type from the fixtures; `get` serves `chunks` (by index) or CHUNK_NOT_FOUND. */
export function serveFixtures(server: PeerServer, chunks: Map<number, Buffer>): void {
  server
    .handle('register', () => ({ reply: replies.register }))
    .handle('report', () => ({ reply: {} }))
    .handle('query', (request) => ({
      reply: {
        video: request.video,
        from: request.from,
        holders: Array.from({ length: request.count }, (_, i) => replies.query.holders[i] ?? []),
      },
    }))
    .handle('get', (request) => {
      const body = chunks.get(request.index);
      if (body === undefined) {
        throw new PeerStreamerError('CHUNK_NOT_FOUND', `no chunk ${request.index} of ${request.video} here`);
      }
      return {
        reply: { video: request.video, index: request.index, size: body.length, sha256: sha256Hex(body) },
        body,
      };
    })
    .handle('bye', () => ({ reply: {} }))
    .handle('end-stream', () => ({ reply: {} }))
    .handle('list-videos', () => ({ reply: replies['list-videos'] }))
    .handle('get-manifest', () => ({ reply: replies['get-manifest'] }))
    .handle('stats', () => ({ reply: replies.stats }))
    .handle('topology', () => ({ reply: replies.topology }))
    .handle('announce-videos', () => ({ reply: {} }))
    .handle('announce-live', () => ({ reply: {} }))
    .handle('get-poster', () => ({ reply: replies['get-poster'], body: getBody }));
}

/**
 * A raw DEALER, for sending what PeerClient never would. It speaks CURVE with a key of its own (or
 * `keys`), since a node lets nothing else in, but its routing id proves no key unless it is made so.
 */
export function rawDealer(
  server: { address: string; keys: { publicKey: string } },
  routingId?: string,
  keys: CurveKeyPair = newCurveKeyPair(),
): zmq.Dealer {
  const dealer = new zmq.Dealer({
    linger: 0,
    curveServerKey: server.keys.publicKey,
    curvePublicKey: keys.publicKey,
    curveSecretKey: keys.secretKey,
    ...(routingId ? { routingId } : {}),
  });
  dealer.connect(server.address);
  return dealer;
}

/** The peer id a server gives the connection whose routing id is `routingId`. */
export function peerIdFor(routingId: string): string {
  return peerIdOf(Buffer.from(routingId));
}

/** A raw ROUTER speaking CURVE as a node does, for playing a server no PeerServer would be. */
export async function rawCurveRouter(): Promise<{ router: zmq.Router; address: string }> {
  const keys = newCurveKeyPair();
  const router = new zmq.Router({
    linger: 0,
    curveServer: true,
    curvePublicKey: keys.publicKey,
    curveSecretKey: keys.secretKey,
  });
  await router.bind('tcp://127.0.0.1:*');
  // The key travels in the address, so a PeerClient needs no key ask (there is no responder here).
  return { router, address: `${router.lastEndpoint!}#${keys.publicKey}` };
}

/**
 * Receives until `count` messages arrived or `ms` passed. With a count, `ms` only bounds a failure;
 * without one, it is the window in which whatever arrives is collected.
 */
export async function receiveFor(socket: zmq.Dealer, ms: number, count = Infinity): Promise<Buffer[][]> {
  const messages: Buffer[][] = [];
  const deadline = performance.now() + ms;
  while (messages.length < count) {
    const left = Math.ceil(deadline - performance.now());
    if (left <= 0) break;
    socket.receiveTimeout = left;
    try {
      messages.push(await socket.receive());
    } catch (error) {
      if ((error as { code?: string }).code === 'EAGAIN') break;
      throw error;
    }
  }
  return messages;
}
