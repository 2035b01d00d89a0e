/**
 * Where the control socket of a store's node lives. Normally `<store>/control.sock`. A Unix socket
 * path must fit in sockaddr_un's sun_path (108 bytes on Linux, 104 on macOS, NUL included), and
 * libuv silently truncates a longer one, so a store deep in the file system gets its socket in a
 * private per-user directory instead (XDG_RUNTIME_DIR, else the temp directory), named by a hash of
 * the store path, and the store holds a pointer file naming it.
 */
import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { PeerStreamerError } from '../util/errors.js';
import os from 'node:os';
import path from 'node:path';
import { readSmallFile } from './small-files.js';

export const SOCKET_FILE = 'control.sock';
/** In the store when the socket lives elsewhere: one line, the socket's absolute path. */
export const POINTER_FILE = 'control.sock.path';

/** Longest socket path in bytes, without the NUL: sun_path is 108 bytes on Linux, 104 on macOS and the BSDs. */
export function maxSocketPathBytes(platform: NodeJS.Platform = process.platform): number {
  return platform === 'linux' ? 107 : 103;
}

/** This machine's bound. */
export const MAX_SOCKET_PATH_BYTES = maxSocketPathBytes();

export interface SocketPlan {
  /** Where the node listens. */
  socket: string;
  /** The private directory holding the socket when it is not in the store (created 0700), else null. */
  privateDir: string | null;
  /** The store's pointer file. */
  pointer: string;
}

export function fits(socketPath: string, platform: NodeJS.Platform = process.platform): boolean {
  return Buffer.byteLength(socketPath) <= maxSocketPathBytes(platform);
}

function userId(): string {
  return typeof process.getuid === 'function' ? String(process.getuid()) : os.userInfo().username;
}

/** Where a node serving `storeDir` (an absolute path) listens. */
export function planSocket(
  storeDir: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): SocketPlan {
  const pointer = path.join(storeDir, POINTER_FILE);
  const direct = path.join(storeDir, SOCKET_FILE);
  if (fits(direct, platform)) return { socket: direct, privateDir: null, pointer };
  const name = `${createHash('sha256').update(storeDir).digest('hex').slice(0, 24)}.sock`;
  const runtime = env.XDG_RUNTIME_DIR;
  const bases = [
    ...(runtime !== undefined && path.isAbsolute(runtime) ? [runtime] : []),
    os.tmpdir(),
    '/tmp',
  ];
  for (const base of bases) {
    const privateDir = path.join(base, `peerstreamer-${userId()}`);
    const socket = path.join(privateDir, name);
    if (fits(socket, platform)) return { socket, privateDir, pointer };
  }
  throw new PeerStreamerError(
    'INVALID_ARGUMENT',
    `no directory gives a socket path short enough for the store ${storeDir}; set XDG_RUNTIME_DIR to a short private directory.`,
    { dir: storeDir },
  );
}

/**
 * Where a client finds the node of `storeDir`: the socket its pointer file names when there is one
 * (the node writes it only when the socket is not in the store), else the socket in the store when
 * that path fits. Undefined when there is nowhere to look. `storeDir` should be the real path, as
 * the node's is, so both sides measure the same string.
 */
export async function locateSocket(
  storeDir: string,
  platform: NodeJS.Platform = process.platform,
): Promise<string | undefined> {
  const named = await readSmallFile(path.join(storeDir, POINTER_FILE), 4096);
  const target = named?.trim();
  // A pointer that names something no node would have written is ignored, as if absent.
  if (target !== undefined && path.isAbsolute(target) && fits(target, platform) && !target.includes('\0'))
    return target;
  const direct = path.join(storeDir, SOCKET_FILE);
  return fits(direct, platform) ? direct : undefined;
}

/** The store's real path (symlinks resolved), or its absolute path when it does not exist yet. */
export async function canonicalStoreDir(storeDir: string): Promise<string> {
  const absolute = path.resolve(storeDir);
  return realpath(absolute).catch(() => absolute);
}
