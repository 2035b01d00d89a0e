/**
 * The chunk files of a legacy database (`<db>/<name>/<n>.chunk`), checked and read as untrusted
 * input: a database may come from anyone, and what it imports is served to every peer.
 */
import { constants } from 'node:fs';
import { lstat, open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { MAX_CHUNK_BYTES } from '../shared/manifest-schema.js';
import { PeerStreamerError, errorMessage } from '../util/errors.js';

/**
 * The database directory as the file system names it, so chunk files can be held to it: a crafted
 * database whose `<name>` directory links to /etc would otherwise import (and serve to any peer)
 * whatever it finds there.
 */
export async function databaseRoot(databaseDir: string): Promise<string> {
  try {
    return await realpath(databaseDir);
  } catch (error) {
    throw new PeerStreamerError(
      'INPUT_NOT_FOUND',
      `cannot resolve ${databaseDir} (${errorMessage(error)}). Point import-legacy at the original video database directory.`,
      { path: databaseDir },
    );
  }
}

export function legacyChunkPath(databaseDir: string, name: string, index: number): string {
  return path.join(databaseDir, name, `${index}.chunk`);
}

/**
 * Checks a chunk file before anything is written: a regular file (never a symbolic link, which the
 * original tools never wrote), inside the database directory, of a size a manifest may name.
 */
export async function assertLegacyChunk(
  databaseDir: string,
  inside: string,
  name: string,
  index: number,
): Promise<void> {
  const file = legacyChunkPath(databaseDir, name, index);
  let size: number;
  try {
    const info = await lstat(file);
    if (info.isSymbolicLink()) throw linkedChunk(file, name, index);
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    size = info.size;
    const real = await realpath(file);
    if (!real.startsWith(inside + path.sep)) throw escapingChunk(file, real, inside, name, index);
  } catch (error) {
    if (error instanceof PeerStreamerError) throw error;
    throw unreadableChunk(file, name, index, error);
  }
  assertChunkSize(file, name, index, size);
}

/** A chunk travels in one frame, so the manifest bounds its size; found before any write. */
function assertChunkSize(file: string, name: string, index: number, size: number): void {
  if (size < 1 || size > MAX_CHUNK_BYTES) {
    throw new PeerStreamerError(
      'LEGACY_FORMAT',
      `chunk ${index} of ${JSON.stringify(name)} at ${file} is ${size} bytes; a chunk must be 1 to ${MAX_CHUNK_BYTES} bytes. Split or remove it, then import again. Nothing was imported.`,
      { path: file, name, index, size },
    );
  }
}

/**
 * Reads one chunk without following a link at its name (O_NOFOLLOW), and no more than the size it
 * had when opened, up to the chunk limit: a file swapped or grown since the check is refused, not
 * read into memory whole.
 */
export async function readLegacyChunk(file: string, name: string, index: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw linkedChunk(file, name, index);
    throw unreadableChunk(file, name, index, error);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw unreadableChunk(file, name, index, new Error('not a regular file'));
    assertChunkSize(file, name, index, info.size);
    const bytes = Buffer.alloc(info.size);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const { bytesRead: beyond } = await handle.read(Buffer.alloc(1), 0, 1, filled);
    if (filled !== bytes.length || beyond !== 0) {
      throw new PeerStreamerError(
        'LEGACY_FORMAT',
        `chunk ${index} of ${JSON.stringify(name)} at ${file} changed size while it was imported. Make sure nothing writes to the database during the import, then import again. Nothing was imported.`,
        { path: file, name, index },
      );
    }
    return bytes;
  } catch (error) {
    if (error instanceof PeerStreamerError) throw error;
    throw unreadableChunk(file, name, index, error);
  } finally {
    await handle.close();
  }
}

function linkedChunk(file: string, name: string, index: number): PeerStreamerError {
  return new PeerStreamerError(
    'LEGACY_FORMAT',
    `chunk ${index} of ${JSON.stringify(name)} at ${file} is a symbolic link; import-legacy follows none, so a database cannot pull in files from elsewhere. Replace the link with a copy of the chunk, then import again. Nothing was imported.`,
    { path: file, name, index },
  );
}

function escapingChunk(
  file: string,
  real: string,
  inside: string,
  name: string,
  index: number,
): PeerStreamerError {
  return new PeerStreamerError(
    'LEGACY_FORMAT',
    `chunk ${index} of ${JSON.stringify(name)} at ${file} resolves to ${real}, outside the database directory ${inside} (a directory on the way is a link). Copy the video's chunks into the database, then import again. Nothing was imported.`,
    { path: file, name, index },
  );
}

function unreadableChunk(file: string, name: string, index: number, cause: unknown): PeerStreamerError {
  return new PeerStreamerError(
    'LEGACY_FORMAT',
    `chunk ${index} of ${JSON.stringify(name)} is missing or unreadable at ${file} (${errorMessage(cause)}). The manifest promises it; restore the file or fix the count, then import again. Nothing was imported.`,
    { path: file, name, index },
    { cause },
  );
}
