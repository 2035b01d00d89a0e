import { createHash, webcrypto } from 'node:crypto';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * sha256 as lower-case hex, computed in libuv's thread pool (WebCrypto jobs run there) instead of on
 * the event loop. Used on the hot paths (storing and verifying fetched chunks): a node hashing many
 * 1 MiB chunks stays responsive, and concurrent hashes use every core.
 */
export async function sha256HexAsync(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex');
}
