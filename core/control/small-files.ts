/**
 * The control channel's small files in the store (token, pointers): read with a bound, so a stray
 * huge file there is ignored rather than read into memory, and written atomically with owner-only
 * permissions, so a reader never sees half a token and, where modes exist, no other user sees it at all.
 */
import { open, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renameReplacing } from '../store/rename-replacing.js';

/** The file's text when it exists and holds at most `maxBytes`; undefined otherwise. */
export async function readSmallFile(file: string, maxBytes: number): Promise<string | undefined> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (handle === undefined) return undefined;
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return bytesRead > maxBytes ? undefined : buffer.subarray(0, bytesRead).toString('utf8');
  } catch {
    // A directory in the file's place, or a read error: nothing usable is there.
    return undefined;
  } finally {
    await handle.close();
  }
}

/**
 * Writes `text` to `file` through a temp file and a rename, mode 0600. On Windows the mode is
 * ignored and the file inherits the store directory's ACL; the rename is retried while a scanner
 * holds the fresh file open.
 */
export async function writePrivateFile(
  file: string,
  text: string,
  platform: NodeJS.Platform = process.platform,
): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}`);
  try {
    await writeFile(temporary, text, { mode: 0o600 });
    await renameReplacing(temporary, file, { platform });
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export async function removeFile(file: string): Promise<void> {
  await rm(file, { force: true });
}
