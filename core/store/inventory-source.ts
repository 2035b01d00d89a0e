import type { ChunkKey } from './types.js';

export type InventoryEvent = 'chunk-added' | 'chunk-removed';

/**
 * What a child's link to its master needs of storage: the chunks held, and word of each one added
 * or removed. The SQLite ChunkStore is one; MemoryChunkStore, for runs in virtual time, is another.
 */
export interface InventorySource {
  heldChunks(video?: string): ChunkKey[];
  on(event: InventoryEvent, listener: (key: ChunkKey) => void): unknown;
  off(event: InventoryEvent, listener: (key: ChunkKey) => void): unknown;
}
