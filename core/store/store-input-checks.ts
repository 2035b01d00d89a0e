/**
 * Checks of what callers hand the store: a bad argument fails with INVALID_ARGUMENT saying what is
 * allowed, an unusable directory with the file system's reason and what to do.
 */
import { promises as fs } from 'node:fs';
import { assertVideoName } from '../util/video-name-check.js';
import { PeerStreamerError } from '../util/errors.js';
import { notWritableError, translateFileError } from './store-errors.js';
import { INIT_INDEX } from './types.js';

export function assertChunkKey(video: string, index: number): void {
  assertVideoName(video);
  if (!Number.isSafeInteger(index) || index < INIT_INDEX) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `Chunk index ${String(index)} of ${JSON.stringify(video)} is not valid; expected an integer >= 0, or -1 for the init segment.`,
      { video, index },
    );
  }
}

export function assertCapacity(bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `Store capacity ${String(bytes)} is not a positive whole number of bytes; pass e.g. 2147483648 for 2 GiB, or null for no limit.`,
      { capacityBytes: bytes },
    );
  }
}

/** Creates the directory and checks it can be written, before any lock or file is touched. */
export async function prepareDirectory(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
    const stat = await fs.stat(dir);
    if (!stat.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    await fs.access(dir, fs.constants.W_OK);
  } catch (error) {
    const translated = translateFileError(error, dir, dir, 'creating the store directory');
    throw translated instanceof PeerStreamerError ? translated : notWritableError(dir, dir, error);
  }
}
