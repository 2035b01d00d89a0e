import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import { lockHolderPid, lockedError } from './lock-file.js';
import { INDEX_FILE } from './open-index.js';
import { corruptIndexError, sqliteCode } from './store-errors.js';

export type SettingsTableRead =
  | {
      ok: true;
      /** Whether there was an index to read: a store with none has nothing to carry over yet. */
      found: boolean;
      values: Record<string, unknown>;
      /** One sentence per row that was not JSON and so was not carried over. */
      problems: string[];
    }
  | { ok: false; error: PeerStreamerError };

/**
 * The `settings` table of the store's index, where settings lived before settings.json: read once,
 * to carry them over. It goes through a read-only connection of its own rather than ChunkStore.open,
 * which would take the store's lock, reconcile every chunk file and evict down to capacity just to
 * read a few rows. `target` names the new file in messages. The rows are left in place, so a PeerStreamer from before settings.json still finds
 * them. A store another process holds (its exclusive lock) cannot be read; the caller then writes
 * nothing, so the rows are carried over once that node has stopped.
 */
export function readSettingsTable(dir: string, target: string): SettingsTableRead {
  const file = path.join(dir, INDEX_FILE);
  // No index: a store that never had settings (or no store yet), not a failure.
  if (!existsSync(file)) return { ok: true, found: false, values: {}, problems: [] };
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 0 });
    const rows = db.prepare('SELECT key, value FROM settings').all() as Array<{ key: string; value: string }>;
    const values: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const { key, value } of rows) {
      try {
        values[key] = JSON.parse(value) as unknown;
      } catch (error) {
        problems.push(
          `Setting ${JSON.stringify(key)} in the old settings table of ${file} is not JSON (${errorMessage(error)}), so it was not carried over to ${target}; it takes its default until it is saved again.`,
        );
      }
    }
    return { ok: true, found: true, values, problems };
  } catch (error) {
    // An empty or foreign SQLite file has no settings table: nothing to carry over. A real index that
    // is damaged fails its quick_check when the store opens, which says what to do.
    if (sqliteCode(error) === 'SQLITE_ERROR' && /no such table/.test(errorMessage(error))) {
      return { ok: true, found: true, values: {}, problems: [] };
    }
    return { ok: false, error: tableError(error, dir, file, target) };
  } finally {
    db?.close();
  }
}

function tableError(error: unknown, dir: string, file: string, target: string): PeerStreamerError {
  const code = sqliteCode(error) ?? '';
  if (code.startsWith('SQLITE_BUSY')) {
    const locked = lockedError(dir, lockHolderPid(dir), error);
    return new PeerStreamerError(
      'STORE_LOCKED',
      `The settings of ${dir} are still in its index ${file}, to be carried over to ${target}, and the index is held open: ${locked.message} Until then every setting takes its default and nothing is saved.`,
      { ...locked.context, file },
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) {
    return corruptIndexError(file, dir, error);
  }
  return new PeerStreamerError(
    'STORE_NOT_WRITABLE',
    `The old settings table in ${file} could not be read (${errorMessage(error)}), so its settings were not carried over to ${target}. Check that this user may read the file; until then every setting takes its default and nothing is saved.`,
    { dir, file },
    { cause: error },
  );
}
