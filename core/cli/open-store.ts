import { ChunkStore } from '../store/chunk-store.js';
import type { StoreOptions } from '../store/types.js';

/** Opens the store a command names, runs `work`, and always closes it (releasing the lock). */
export async function withStore<T>(
  dir: string,
  work: (store: ChunkStore) => Promise<T>,
  options?: StoreOptions,
): Promise<T> {
  const store = await ChunkStore.open(dir, options);
  try {
    return await work(store);
  } finally {
    store.close();
  }
}
