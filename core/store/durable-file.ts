import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { renameReplacing } from './rename-replacing.js';

/**
 * Writes `bytes` to `tempPath` (which must not exist) and makes them durable: a file that is later
 * renamed into place is then either absent or complete after a crash or power cut. On failure the
 * temp file is removed and the file system's error is thrown as it came, for the caller to word.
 */
export async function writeSyncedFile(tempPath: string, bytes: Uint8Array, mode?: number): Promise<void> {
  // Not created here (it exists, or the directory is missing): nothing of ours to remove.
  const handle = await fs.open(tempPath, 'wx', mode);
  try {
    try {
      await writeAll(handle, bytes);
      // Data must be on disk before a rename makes the file visible under its final name. On macOS
      // libuv turns this into fcntl(F_FULLFSYNC), as plain fsync there leaves data in the drive's
      // cache; on Windows it is FlushFileBuffers.
      await handle.datasync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await removeQuietly(tempPath);
    throw error;
  }
}

/**
 * Temp file, fsync, rename over `finalPath` (with Windows' retries, see renameReplacing): the file at
 * `finalPath` is the old one or the whole new one, never a part. On failure nothing is left at
 * `tempPath`, and the file system's error is thrown as it came. `mode` applies to a new file (and so,
 * through the rename, to the final one), before any byte is in it.
 */
export async function writeFileDurably(
  tempPath: string,
  finalPath: string,
  bytes: Uint8Array,
  mode?: number,
): Promise<void> {
  await writeSyncedFile(tempPath, bytes, mode);
  try {
    await renameReplacing(tempPath, finalPath);
  } catch (error) {
    await removeQuietly(tempPath);
    throw error;
  }
}

async function removeQuietly(tempPath: string): Promise<void> {
  // The caller's error is what matters; a temp file left behind is removed by the store's next open.
  await fs.rm(tempPath, { force: true }).catch(() => undefined);
}

/** Writes all of `bytes` at the start of the file: one write() may take only part of them. */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, written);
    written += bytesWritten;
  }
}
