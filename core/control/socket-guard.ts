/**
 * Checks around the control socket's file: who owns what, what a leftover socket means, and the
 * pointer file. The node runs these before it listens; the CLI runs `probeSocket` before it talks.
 */
import net from 'node:net';
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { PeerStreamerError } from '../util/errors.js';

export type SocketState =
  /** A process accepted the connection (the socket passed in is connected). */
  | { state: 'live'; socket: net.Socket }
  /** The file is a socket nobody listens on: its node was killed. */
  | { state: 'stale' }
  | { state: 'absent' }
  /** Something is there but cannot be talked to: permission denied, or no answer in time. */
  | { state: 'unusable'; reason: string };

const myUid = (): number | undefined => (typeof process.getuid === 'function' ? process.getuid() : undefined);

/** Connects to `socketPath` and says what is there; a live connection is handed back, open. */
export function probeSocket(socketPath: string, timeoutMs = 2_000): Promise<SocketState> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ state: 'unusable', reason: `nothing accepted the connection within ${timeoutMs} ms` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve({ state: 'live', socket });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      if (error.code === 'ECONNREFUSED') resolve({ state: 'stale' });
      else if (error.code === 'ENOENT' || error.code === 'ENOTDIR') resolve({ state: 'absent' });
      else resolve({ state: 'unusable', reason: `${error.code ?? 'error'}: ${error.message}` });
    });
  });
}

async function lstatOrUndefined(file: string): Promise<Stats | undefined> {
  return lstat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

/**
 * Makes (or checks) the per-user directory that holds a socket outside the store. It must be a real
 * directory, this user's, and closed to others: in a shared /tmp another user could otherwise
 * create it first and sit between the CLI and the node.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const info = await lstat(dir);
  const uid = myUid();
  if (!info.isDirectory() || (uid !== undefined && info.uid !== uid)) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${dir} is not a directory owned by this user (uid ${uid}); another user may have made it. Remove it, or set XDG_RUNTIME_DIR to a private directory.`,
      { dir },
    );
  }
  if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
}

/**
 * The store directory must not be writable by everyone (without the sticky bit): anyone could then
 * swap the socket. Group-writable is allowed: with per-user groups (Debian's default umask 002) the
 * group is the user.
 */
export async function assertStoreDirGuarded(storeDir: string): Promise<void> {
  const info = await lstat(storeDir);
  if ((info.mode & 0o002) !== 0 && (info.mode & 0o1000) === 0) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `the store ${storeDir} is writable by every user (mode ${(info.mode & 0o7777).toString(8)}), so its control socket could be replaced by anyone; run \`chmod o-w ${storeDir}\` and restart the node.`,
      { dir: storeDir },
    );
  }
}

/**
 * Clears the way for a node to listen on `socketPath`. The caller holds the store's lock, so a socket
 * left there belongs to a node that died without closing it (SIGKILL, a crash): it is removed once a
 * connection to it is refused. A live listener or a file that is not a socket is never removed.
 */
export async function clearStaleSocket(socketPath: string): Promise<'none' | 'removed'> {
  const info = await lstatOrUndefined(socketPath);
  if (info === undefined) return 'none';
  if (!info.isSocket()) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${socketPath} exists and is not a socket; the node will not delete it. Move it away so the node can serve its control socket there.`,
      { socket: socketPath },
    );
  }
  const probe = await probeSocket(socketPath);
  if (probe.state === 'live') {
    probe.socket.destroy();
    throw new PeerStreamerError(
      'PORT_IN_USE',
      `another process is listening on the control socket ${socketPath}; stop it, or give this node its own --store.`,
      { socket: socketPath },
    );
  }
  if (probe.state === 'absent') return 'none';
  await unlink(socketPath).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  return 'removed';
}

/** The socket must be this user's and closed to everyone else (mode 0600). */
export async function assertPrivateSocket(socketPath: string): Promise<void> {
  await chmod(socketPath, 0o600);
  const info = await lstat(socketPath);
  const uid = myUid();
  if (!info.isSocket() || (uid !== undefined && info.uid !== uid) || (info.mode & 0o077) !== 0) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `the control socket ${socketPath} is not a private socket of this user (mode ${(info.mode & 0o777).toString(8)}, uid ${info.uid}); the node closed it.`,
      { socket: socketPath },
    );
  }
}

/**
 * The client's side of the same check: the socket it is about to trust must belong to this user (or
 * this user is root, who may talk to any user's node).
 */
export function socketOwnerProblem(socketPath: string, info: Stats): string | null {
  const uid = myUid();
  if (uid === undefined || uid === 0) return null;
  if (info.uid !== uid) return `${socketPath} belongs to uid ${info.uid}, not to this user (uid ${uid})`;
  return null;
}
