import { stat } from 'node:fs/promises';
import { ChunkStore } from '../store/chunk-store.js';
import type { StoreOptions } from '../store/types.js';
import { PeerStreamerError } from '../util/errors.js';

export interface WithStoreOptions extends StoreOptions {
  /**
   * Commands that only read a store (ls, export, verify) refuse a directory that does not exist, so a
   * mistyped --store is reported instead of silently creating an empty store there.
   */
  mustExist?: { command: string };
}

/** Opens the store a command names, runs `work`, and always closes it (releasing the lock). */
export async function withStore<T>(
  dir: string,
  work: (store: ChunkStore) => Promise<T>,
  options: WithStoreOptions = {},
): Promise<T> {
  const { mustExist, ...storeOptions } = options;
  if (mustExist !== undefined) await assertStoreExists(dir, mustExist.command);
  const store = await ChunkStore.open(dir, storeOptions);
  try {
    return await work(store);
  } finally {
    store.close();
  }
}

async function assertStoreExists(dir: string, command: string): Promise<void> {
  const exists = await stat(dir).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      // Anything but "not there" (a file, no permission) is left to ChunkStore.open, which explains it.
      if (error.code === 'ENOENT') return false;
      return true;
    },
  );
  if (!exists) {
    throw new PeerStreamerError(
      'INPUT_NOT_FOUND',
      `${command}: the store ${dir} does not exist; check --store, or create it by adding a video with \`peerstreamer add <file> --store ${dir}\`.`,
      { dir },
    );
  }
}
