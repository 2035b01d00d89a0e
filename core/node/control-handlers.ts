/**
 * The running node's answers to control commands (core/control moves the messages). They work on the
 * node's open store, the same functions the CLI runs on a closed one, so the output is the same
 * whichever way a command went.
 */
import { ControlServer } from '../control/server.js';
import type { ControlHandlers } from '../control/handlers.js';
import type { ControlTransportOptions } from '../control/transport.js';
import { checkStore, type StoreCheck } from '../library/check-store.js';
import { exportVideo } from '../library/export.js';
import { errorMessage } from '../util/errors.js';
import type { PeerNode } from './peer-node.js';

export function nodeControlHandlers(node: PeerNode): ControlHandlers {
  // One verify at a time: a second request joins the one running (its signal is the same node-stop
  // signal), instead of hashing every blob twice at once and racing it to drop the same bad ones.
  let verifying: Promise<StoreCheck> | null = null;
  return {
    add: (request, { signal, progress, notice }) =>
      node.addVideo(request.file, {
        ...(request.name !== undefined ? { name: request.name } : {}),
        ...(request.chunkDuration !== undefined ? { chunkDuration: request.chunkDuration } : {}),
        ...(request.chunkSize !== undefined ? { chunkSize: request.chunkSize } : {}),
        replace: request.replace,
        signal,
        onProgress: progress,
        onNote: (text) => notice({ level: 'note', text }),
        onWarning: (text) => notice({ level: 'warning', text }),
      }),
    ls: async () => node.store.listVideos(),
    // Bad chunks are dropped as on a closed store: the node stops serving them and reports them gone.
    verify: (signal) =>
      (verifying ??= checkStore(node.store, { signal }).finally(() => {
        verifying = null;
      })),
    export: async (request, out, signal) => {
      const { bytes, chunks } = await exportVideo(node.store, request.name, out, {
        fromChunk: request.fromChunk,
        signal,
      });
      return { bytes, chunks };
    },
    liveStart: (request) => node.live.start(request),
    liveStop: async (request) => {
      const { info, kept } = await node.live.stop(request.name, request.keep);
      return {
        session: info,
        kept: kept === null ? null : { name: kept.name, chunks: kept.chunks.length, duration: kept.duration },
      };
    },
    liveList: async () => node.live.list(),
  };
}

/**
 * Opens the node's control channel: a Unix socket, or on Windows a named pipe (`transport` injects
 * the platform for tests). A node that cannot (an unsafe directory, a file or another program in the
 * way) still serves the swarm: the problem is logged with what to do, and the CLI then reports the
 * store as in use, as it did before the control channel existed.
 */
export async function serveControl(
  node: PeerNode,
  transport: ControlTransportOptions = {},
): Promise<ControlServer | null> {
  try {
    const server = await ControlServer.listen({
      ...transport,
      storeDir: node.store.dir,
      handlers: nodeControlHandlers(node),
      logger: node.logger,
    });
    node.logger.info(
      { socket: server.socketPath },
      server.transport === 'pipe' ? 'control pipe ready' : 'control socket ready',
    );
    return server;
  } catch (error) {
    node.logger.error(
      { store: node.store.dir, err: error },
      `no control channel: ${errorMessage(error)}; add, ls, verify and export cannot reach this node while it runs`,
    );
    return null;
  }
}
