import { EventEmitter } from 'node:events';
import { chunkKey } from '../shared/segments.js';
import type { ChunkPinning } from './chunk-storage.js';
import type { StoreEvents } from './types.js';

/**
 * What the in-memory stores share: their store events, and pins per chunk, counted, so a chunk stays
 * pinned until every pin on it is released (the SQLite store keeps its pins in its own index).
 */
export abstract class PinCountingStore extends EventEmitter<StoreEvents> implements ChunkPinning {
  private readonly pins = new Map<string, number>();

  pinChunk(video: string, index: number): void {
    const key = chunkKey(video, index);
    this.pins.set(key, (this.pins.get(key) ?? 0) + 1);
  }

  unpinChunk(video: string, index: number): void {
    const key = chunkKey(video, index);
    const count = (this.pins.get(key) ?? 0) - 1;
    if (count > 0) this.pins.set(key, count);
    else this.pins.delete(key);
  }

  /** Chunks with at least one pin. */
  get pinnedChunks(): number {
    return this.pins.size;
  }
}
