import path from 'node:path';
import { POINTER_FILE, SOCKET_FILE, canonicalStoreDir, locateSocket } from './socket-path.js';
import { clearStaleSocket, removeFile } from './socket-guard.js';

/**
 * Removes a control socket (and pointer file) left in a store by a node that was killed. Only call
 * this while holding the store's lock: then no node can be serving the store, so whatever socket is
 * there is dead. A file that is not a socket, or a socket something still answers on, is left alone.
 */
export async function removeStaleControlFiles(store: string): Promise<void> {
  const storeDir = await canonicalStoreDir(store);
  const candidates = new Set([path.join(storeDir, SOCKET_FILE)]);
  const named = await locateSocket(storeDir);
  if (named !== undefined) candidates.add(named);
  for (const socket of candidates) await clearStaleSocket(socket).catch(() => 'none');
  await removeFile(path.join(storeDir, POINTER_FILE)).catch(() => undefined);
}
