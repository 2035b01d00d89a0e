/**
 * The control channel on a Windows named pipe, both ends. A pipe vanishes with its process, so a node
 * killed mid-run leaves only its token and pointer files in the store; they are stale when the process
 * the store's lock file names is gone, and the CLI then opens the store itself and removes them.
 *
 * The pipe has the default DACL libuv gives it (full control for the owner, SYSTEM and Administrators,
 * read for Everyone), so other users can open it: the token in every request is what keeps them out.
 * See docs/ARCHITECTURE.md for the threat model.
 */
import type net from 'node:net';
import { once } from 'node:events';
import { lockHolderPid } from '../store/lock-file.js';
import { PeerStreamerError } from '../util/errors.js';
import { processAlive } from '../util/process-alive.js';
import type { ControlEndpoint } from './endpoint.js';
import { locatePipe } from './pipe-path.js';
import { removeFile, writePrivateFile } from './small-files.js';
import { probeSocket } from './socket-guard.js';
import { readTokenFile } from './token.js';

type PipeEndpoint = Extract<ControlEndpoint, { transport: 'pipe' }>;

/**
 * Listens on the pipe, then names it in the store. libuv creates the first instance with
 * FILE_FLAG_FIRST_PIPE_INSTANCE, so a pipe of that name that already exists fails the listen
 * (EADDRINUSE) instead of letting this node share a name another process made.
 */
export async function listenPipe(
  server: net.Server,
  endpoint: PipeEndpoint,
  platform: NodeJS.Platform,
): Promise<void> {
  server.listen(endpoint.path);
  try {
    await once(server, 'listening');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new PeerStreamerError(
      'PORT_IN_USE',
      `another process already serves the control pipe ${endpoint.path}. This node holds the store's lock, so that is no node of this store: another program, perhaps another user's, has taken the name. Stop it and restart the node.`,
      { socket: endpoint.path },
      { cause: error },
    );
  }
  await writePrivateFile(endpoint.pointer, `${endpoint.path}\n`, platform);
}

export async function releasePipe(endpoint: PipeEndpoint): Promise<void> {
  await removeFile(endpoint.pointer);
}

/**
 * The node serving `storeDir` on its pipe, connected, with the token its requests must carry; null
 * when no node serves it. The token is sent only while the store's lock holder lives: a pipe found
 * after its node was killed belongs to someone else, who must not be handed even a dead token or a
 * request.
 */
export async function reachPipe(
  storeDir: string,
  namespace: string | undefined,
): Promise<{ socket: net.Socket; path: string; token: string } | null> {
  // No token: no node has served the store since it last stopped cleanly, or one is starting.
  if ((await readTokenFile(storeDir)) === undefined) return null;
  const holder = lockHolderPid(storeDir);
  if (holder === undefined || !processAlive(holder)) return null;
  const pipe = await locatePipe(storeDir, namespace);
  const probe = await probeSocket(pipe);
  if (probe.state === 'live') {
    // Read again once connected: a node that restarted meanwhile has written a new one.
    const token = await readTokenFile(storeDir);
    if (token !== undefined) return { socket: probe.socket, path: pipe, token };
    probe.socket.destroy();
    return null;
  }
  if (probe.state === 'unusable') {
    throw new PeerStreamerError(
      'UNREACHABLE',
      `the store ${storeDir} is served by a node whose control pipe ${pipe} cannot be used (${probe.reason}). If the node runs as another user, run the command as that user.`,
      { dir: storeDir, socket: pipe },
    );
  }
  // Stale (no pipe any more, or, in a test's directory namespace, a socket nobody listens on).
  return null;
}
