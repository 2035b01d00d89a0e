import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes `data` to `out` and, when its buffer is full, waits for it to drain (or close: a reader that
 * went away): a play writes as fast as its reader takes, never faster.
 */
export async function writeOut(out: Writable, data: Buffer): Promise<void> {
  if (out.write(data)) return;
  // Both waits are cancelled once one fires, or every slow write would leave listeners behind.
  const settled = new AbortController();
  try {
    await Promise.race([
      once(out, 'drain', { signal: settled.signal }),
      once(out, 'close', { signal: settled.signal }),
    ]);
  } finally {
    settled.abort();
  }
}
