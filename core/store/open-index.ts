import Database from 'better-sqlite3';
import path from 'node:path';
import { lockHolderPid, lockedError } from './lock-file.js';
import { migrate } from './schema.js';
import { corruptIndexError, sqliteCode, translateSqliteError } from './store-errors.js';

export const INDEX_FILE = 'index.sqlite';

/**
 * Opens and locks the index. EXCLUSIVE locking mode plus an immediate write transaction takes SQLite's
 * OS-level lock and keeps it until close; a second opener (any process) gets SQLITE_BUSY at once
 * because the busy timeout is 0. In exclusive mode WAL needs no shared-memory file either.
 */
export function openIndex(dir: string): Database.Database {
  const file = path.join(dir, INDEX_FILE);
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: 0 });
  } catch (error) {
    throw translateSqliteError(error, dir, file, 'opening the index');
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // macOS: SQLite's plain fsync leaves writes in the drive's cache, in any order, so a power cut could
    // tear the WAL; F_FULLFSYNC (what our chunk files get through libuv) makes its syncs real. Other
    // systems ignore both pragmas.
    db.pragma('fullfsync = ON');
    db.pragma('checkpoint_fullfsync = ON');
    db.pragma('foreign_keys = ON');
    db.exec('BEGIN IMMEDIATE; COMMIT');
    // quick_check reads every page once: a damaged index is reported now, not mid-stream.
    const check = db.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') throw corruptIndexError(file, dir, new Error(`quick_check: ${check}`));
    migrate(db, file);
    return db;
  } catch (error) {
    db.close();
    if (sqliteCode(error)?.startsWith('SQLITE_BUSY')) throw lockedError(dir, lockHolderPid(dir), error);
    throw translateSqliteError(error, dir, file, 'opening the index');
  }
}
