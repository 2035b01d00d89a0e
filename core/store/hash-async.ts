import { webcrypto } from 'node:crypto';

/**
 * sha256 as lower-case hex, computed in libuv's thread pool (WebCrypto jobs run there) instead of on
 * the event loop. core/util/hash.ts is synchronous; the store uses this so a 1 MiB hash neither blocks
 * the node nor adds to a write's latency: it runs beside the file write and fsync.
 */
export async function sha256HexAsync(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex');
}
