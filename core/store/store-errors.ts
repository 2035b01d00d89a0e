import { PeerStreamerError, errorMessage, isDiskFull } from '../util/errors.js';

/** errno codes meaning "this path cannot be written", as opposed to a transient failure. */
const NOT_WRITABLE_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'EISDIR']);

export function diskFullError(dir: string, doing: string, cause: unknown): PeerStreamerError {
  return new PeerStreamerError(
    'DISK_FULL',
    `The disk holding the store ${dir} is full (${errorMessage(cause)}) while ${doing}. Nothing half-written was kept. Free space on that disk, or lower the cache capacity, then try again.`,
    { dir },
    { cause },
  );
}

export function notWritableError(dir: string, target: string, cause: unknown): PeerStreamerError {
  return new PeerStreamerError(
    'STORE_NOT_WRITABLE',
    `The store directory ${dir} cannot be written (${target}: ${errorMessage(cause)}). Expected a writable directory; check that the path is a directory (not a file), its permissions, and that the disk is not mounted read-only, or choose another directory with --store.`,
    { dir, path: target },
    { cause },
  );
}

/**
 * Turns a file-system error met while working in the store into the coded error a user can act on.
 * Anything else is returned unchanged so it is never mistaken for a known condition.
 */
export function translateFileError(error: unknown, dir: string, target: string, doing: string): unknown {
  if (isDiskFull(error)) return diskFullError(dir, doing, error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && NOT_WRITABLE_CODES.has(code)) return notWritableError(dir, target, error);
  return error;
}

/** better-sqlite3 reports SQLite's result code as a string like "SQLITE_BUSY" or "SQLITE_CORRUPT_VTAB". */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

export function corruptIndexError(file: string, dir: string, cause: unknown): PeerStreamerError {
  return new PeerStreamerError(
    'STORE_CORRUPT',
    `The store index ${file} is damaged (${errorMessage(cause)}); expected a PeerStreamer SQLite index. Nothing was deleted. Move the file aside (e.g. rename it to index.sqlite.bad) and open the store again to start a fresh index; the videos must then be ingested or fetched again.`,
    { file, dir },
    { cause },
  );
}

/** Maps SQLite failures on the index to coded errors; other errors are returned unchanged. */
export function translateSqliteError(error: unknown, dir: string, file: string, doing: string): unknown {
  const code = sqliteCode(error);
  if (code === undefined) return error;
  if (code.startsWith('SQLITE_FULL')) return diskFullError(dir, doing, error);
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) {
    return corruptIndexError(file, dir, error);
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) {
    return notWritableError(dir, file, error);
  }
  return error;
}

export function videoExistsError(dir: string, name: string): PeerStreamerError {
  return new PeerStreamerError(
    'VIDEO_EXISTS',
    `${JSON.stringify(name)} already exists in the store ${dir}; pass replace (--replace) to overwrite it, or choose another name.`,
    { video: name, dir },
  );
}

export function videoNotFoundError(dir: string, name: string): PeerStreamerError {
  return new PeerStreamerError(
    'VIDEO_NOT_FOUND',
    `${JSON.stringify(name)} is not in the store ${dir}; list what it holds with \`peerstreamer ls --store ${dir}\`, or record its manifest first.`,
    { video: name, dir },
  );
}
