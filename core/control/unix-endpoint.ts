/**
 * The control channel on a Unix socket, both ends. The node makes the socket owner-only from its
 * first moment and checks it; the client trusts only a socket of its own user. A socket left by a
 * killed node refuses connections, which is how both sides tell it from a live one.
 */
import type net from 'node:net';
import { once } from 'node:events';
import { lstat } from 'node:fs/promises';
import type { Logger } from '../util/logger.js';
import { PeerStreamerError } from '../util/errors.js';
import type { ControlEndpoint } from './endpoint.js';
import {
  assertPrivateSocket,
  assertStoreDirGuarded,
  clearStaleSocket,
  ensurePrivateDir,
  probeSocket,
  socketOwnerProblem,
} from './socket-guard.js';
import { locateSocket } from './socket-path.js';
import { removeFile, writePrivateFile } from './small-files.js';

type UnixEndpoint = Extract<ControlEndpoint, { transport: 'unix' }>;

/**
 * Clears the way for the node's socket: the store must not be writable by everyone, the private
 * directory (when used) must be this user's, and a socket left by a killed node is removed.
 */
export async function prepareUnixSocket(
  endpoint: UnixEndpoint,
  storeDir: string,
  logger: Logger,
): Promise<void> {
  await assertStoreDirGuarded(storeDir);
  if (endpoint.privateDir !== null) await ensurePrivateDir(endpoint.privateDir);
  if ((await clearStaleSocket(endpoint.path)) === 'removed') {
    logger.info(
      { socket: endpoint.path },
      'removed a control socket left by a node that did not stop cleanly',
    );
  }
}

/**
 * Listens on the socket, created with mode 0600, and checks its owner and mode before anything is
 * accepted; then writes or removes the pointer file.
 */
export async function listenUnixSocket(server: net.Server, endpoint: UnixEndpoint): Promise<void> {
  // bind(2) runs inside listen(), synchronously: the umask makes the socket 0600 from its first
  // moment. (A file another thread creates in that instant gets 0600 too, which only makes it private.)
  const previous = process.umask(0o177);
  try {
    server.listen(endpoint.path);
  } finally {
    process.umask(previous);
  }
  await once(server, 'listening');
  try {
    await assertPrivateSocket(endpoint.path);
    if (endpoint.privateDir !== null) await writePrivateFile(endpoint.pointer, `${endpoint.path}\n`);
    else await removeFile(endpoint.pointer);
  } catch (error) {
    server.close();
    await removeFile(endpoint.path);
    throw error;
  }
}

export async function releaseUnixSocket(endpoint: UnixEndpoint): Promise<void> {
  await removeFile(endpoint.path);
  if (endpoint.privateDir !== null) await removeFile(endpoint.pointer);
}

/**
 * The node serving `storeDir`, connected; null when none is (no socket, or one left by a killed
 * node). Throws when a socket is there but this user may not use it.
 */
export async function reachUnixSocket(
  storeDir: string,
  platform: NodeJS.Platform,
): Promise<{ socket: net.Socket; path: string } | null> {
  const socketPath = await locateSocket(storeDir, platform);
  if (socketPath === undefined) return null;
  // Nothing to look at (no such file, a store path that is not a directory, a directory this user
  // may not read): no node to talk to; opening the store explains what is wrong with the path.
  // A file that is not a socket is no node either (the node that found it there runs without one).
  const info = await lstat(socketPath).catch(() => undefined);
  if (info === undefined || !info.isSocket()) return null;
  const owner = socketOwnerProblem(socketPath, info);
  if (owner !== null) {
    throw new PeerStreamerError(
      'STORE_LOCKED',
      `the store ${storeDir} is served by a node this user may not control: ${owner}. Run the command as the user who runs that node.`,
      { dir: storeDir, socket: socketPath },
    );
  }
  const probe = await probeSocket(socketPath);
  if (probe.state === 'live') return { socket: probe.socket, path: socketPath };
  if (probe.state === 'unusable') {
    throw new PeerStreamerError(
      'UNREACHABLE',
      `the store ${storeDir} has a control socket ${socketPath} that cannot be used (${probe.reason}). If its node runs as another user, run the command as that user; if no node runs, remove the socket.`,
      { dir: storeDir, socket: socketPath },
    );
  }
  return null;
}
