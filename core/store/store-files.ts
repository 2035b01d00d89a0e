import path from 'node:path';
import type Database from 'better-sqlite3';
import { BlobFiles } from './blob-files.js';
import { ChunkIndex } from './chunk-index.js';
import { claimInProcess, releaseInProcess, removeLockFile, writeLockFile } from './lock-file.js';
import { INDEX_FILE, openIndex } from './open-index.js';
import { reconcile } from './reconcile.js';
import { translateFileError, translateSqliteError } from './store-errors.js';
import { prepareDirectory } from './store-input-checks.js';
import type { ReconcileReport } from './types.js';

/** A store directory opened for one ChunkStore: locked, its index and files made to agree. */
export interface StoreFiles {
  dir: string;
  index: ChunkIndex;
  blobs: BlobFiles;
  /** What reconciling repaired. */
  report: ReconcileReport;
}

/**
 * Opens (creating if needed) the store directory `dir`, takes its lock (this process's registry,
 * then SQLite's exclusive lock) and reconciles index and files, then runs `build` on them. If any of
 * it fails, `build` included, the index is closed and the lock released before the error (worded as
 * STORE_LOCKED, STORE_NOT_WRITABLE, STORE_CORRUPT or DISK_FULL where it is one of those) is thrown.
 */
export async function openStoreFiles<T>(dir: string, build: (files: StoreFiles) => Promise<T>): Promise<T> {
  const storeDir = path.resolve(dir);
  await prepareDirectory(storeDir);
  claimInProcess(storeDir);
  let db: Database.Database | undefined;
  try {
    db = openIndex(storeDir);
    const index = new ChunkIndex(db);
    const blobs = new BlobFiles(storeDir, (sha256) => index.isShaReferenced(sha256));
    await blobs.createDirs();
    const report = await reconcile(index, blobs).catch((error: unknown) => {
      throw translateFileError(error, storeDir, storeDir, 'reconciling the index with the chunk files');
    });
    // Stream pins belong to the process that took them; after a restart none is held.
    index.resetPins();
    writeLockFile(storeDir);
    return await build({ dir: storeDir, index, blobs, report });
  } catch (error) {
    db?.close();
    releaseInProcess(storeDir);
    throw translateSqliteError(error, storeDir, path.join(storeDir, INDEX_FILE), 'opening the store');
  }
}

/** Closes the index and releases the lock taken by openStoreFiles. */
export function closeStoreFiles(dir: string, index: ChunkIndex): void {
  index.db.close();
  try {
    removeLockFile(dir);
  } finally {
    releaseInProcess(dir);
  }
}
