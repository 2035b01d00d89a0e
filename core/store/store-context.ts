import path from 'node:path';
import type { Logger } from '../util/logger.js';
import type { BlobFiles } from './blob-files.js';
import type { ChunkIndex } from './chunk-index.js';
import type { UsageClock } from './lru-eviction.js';
import { INDEX_FILE } from './open-index.js';
import { translateSqliteError } from './store-errors.js';
import type { ChunkKey, StoreEvents } from './types.js';

/**
 * What the parts of one open ChunkStore (its space keeping, its writes) share: the index and the
 * files, the last-use clock, the log, and the store's own open/closed state and events, so a part
 * never holds a second copy of any of them.
 */
export interface StoreContext {
  readonly dir: string;
  readonly index: ChunkIndex;
  readonly blobFiles: BlobFiles;
  readonly usage: UsageClock;
  readonly log: Logger;
  isClosed(): boolean;
  /** Throws the store's closed error. */
  assertOpen(): void;
  emit(event: keyof StoreEvents, chunk: ChunkKey): void;
  reportBackgroundError(doing: string, error: unknown): void;
}

/** Runs index work, turning SQLite's disk-full and corruption errors into coded store errors. */
export function runSql<T>(dir: string, doing: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw translateSqliteError(error, dir, path.join(dir, INDEX_FILE), doing);
  }
}
