import path from 'node:path';
import { PIPE_POINTER_FILE } from './pipe-path.js';
import { removeFile } from './small-files.js';
import { clearStaleSocket } from './socket-guard.js';
import { POINTER_FILE, SOCKET_FILE, canonicalStoreDir, locateSocket } from './socket-path.js';
import { tokenFile } from './token.js';
import { transportFor, type ControlTransportOptions } from './transport.js';

/**
 * Removes what a killed node left of its control channel in a store: its token, its pointer file and
 * (on Unix) its dead socket. Only call this while holding the store's lock: then no node can be
 * serving the store, so whatever is there is stale. A file in a socket's place that is not a
 * socket, or a socket something still answers on, is left alone.
 */
export async function removeStaleControlFiles(
  store: string,
  options: ControlTransportOptions = {},
): Promise<void> {
  const storeDir = await canonicalStoreDir(store);
  const platform = options.platform ?? process.platform;
  await removeFile(tokenFile(storeDir)).catch(() => undefined);
  if (transportFor(platform) === 'pipe') {
    // The pipe itself went with its process.
    await removeFile(path.join(storeDir, PIPE_POINTER_FILE)).catch(() => undefined);
    return;
  }
  const candidates = new Set([path.join(storeDir, SOCKET_FILE)]);
  const named = await locateSocket(storeDir, platform);
  if (named !== undefined) candidates.add(named);
  for (const socket of candidates) await clearStaleSocket(socket).catch(() => 'none');
  await removeFile(path.join(storeDir, POINTER_FILE)).catch(() => undefined);
}
