import { EventEmitter } from 'node:events';
import { chunkKey } from '../shared/segments.js';
import type { InventorySource } from './inventory-source.js';
import type { ChunkKey, StoreEvents } from './types.js';

/** What a simulated node keeps of a chunk: enough to account for it, never its bytes. */
export interface HeldChunk extends ChunkKey {
  size: number;
}

/**
 * A lean, in-memory stand-in for a node's store, for deterministic tests and the simulator: which
 * chunks a node holds and their sizes, with the same events as ChunkStore, so a MasterLink reports
 * them the same way. A simulated swarm of 100,000 nodes cannot keep 100,000 copies of a video.
 */
export class MemoryInventory extends EventEmitter<StoreEvents> implements InventorySource {
  private readonly held = new Map<string, HeldChunk>();

  add(video: string, index: number, size: number): void {
    const key = chunkKey(video, index);
    if (this.held.has(key)) return;
    this.held.set(key, { video, index, size });
    this.emit('chunk-added', { video, index });
  }

  remove(video: string, index: number): void {
    const entry = this.held.get(chunkKey(video, index));
    if (entry === undefined) return;
    this.held.delete(chunkKey(video, index));
    this.emit('chunk-removed', { video, index });
  }

  heldChunks(video?: string): ChunkKey[] {
    const keys: ChunkKey[] = [];
    for (const { video: held, index } of this.held.values()) {
      if (video === undefined || held === video) keys.push({ video: held, index });
    }
    return keys;
  }
}
