import type { Manifest } from '../shared/manifest.js';
import { INIT_INDEX, chunkKey, chunkKeyParts } from '../shared/segments.js';
import { PinCountingStore } from './pin-counting-store.js';
import type { ChunkStorage } from './chunk-storage.js';
import type { InventorySource } from './inventory-source.js';
import type { ChunkKey } from './types.js';

/**
 * A node's storage held in memory, bytes included: for deterministic tests of the fetching roles in
 * virtual time. It trusts its caller as the fetcher's contract allows (the fetcher verifies every
 * chunk against the manifest before it stores it); the SQLite ChunkStore is the one that guards
 * against everything else.
 */
export class MemoryChunkStore extends PinCountingStore implements ChunkStorage, InventorySource {
  private readonly manifests = new Map<string, Manifest>();
  private readonly chunks = new Map<string, Buffer>();

  getManifest(name: string): Manifest | undefined {
    return this.manifests.get(name);
  }

  putManifest(manifest: Manifest): void {
    this.manifests.set(manifest.name, manifest);
  }

  hasChunk(video: string, index: number): boolean {
    return this.chunks.has(chunkKey(video, index));
  }

  getInit(video: string): Promise<Buffer | undefined> {
    return this.getChunk(video, INIT_INDEX);
  }

  getChunk(video: string, index: number): Promise<Buffer | undefined> {
    return Promise.resolve(this.chunks.get(chunkKey(video, index)));
  }

  putInit(video: string, bytes: Uint8Array): Promise<void> {
    return this.putChunk(video, INIT_INDEX, bytes);
  }

  putChunk(video: string, index: number, bytes: Uint8Array): Promise<void> {
    const key = chunkKey(video, index);
    if (!this.chunks.has(key)) {
      this.chunks.set(key, Buffer.from(bytes));
      if (index !== INIT_INDEX) this.emit('chunk-added', { video, index });
    }
    return Promise.resolve();
  }

  /** Drops a chunk, as eviction does. */
  removeChunk(video: string, index: number): void {
    if (this.chunks.delete(chunkKey(video, index)) && index !== INIT_INDEX) {
      this.emit('chunk-removed', { video, index });
    }
  }

  heldChunks(video?: string): ChunkKey[] {
    const keys: ChunkKey[] = [];
    for (const key of this.chunks.keys()) {
      const held = chunkKeyParts(key);
      if (held.index !== INIT_INDEX && (video === undefined || held.video === video)) keys.push(held);
    }
    return keys;
  }
}
