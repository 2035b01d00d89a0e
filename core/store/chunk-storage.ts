import type { Manifest } from '../shared/manifest.js';
import type { InventoryEvent } from './inventory-source.js';
import type { ChunkKey } from './types.js';

/**
 * What the fetching side of a node needs of its storage: manifests, and a video's init segment and
 * chunks by index. The SQLite ChunkStore is one; MemoryChunkStore (memory-chunk-store.ts) keeps the
 * same in maps, for deterministic tests in virtual time, where real file I/O would let time pass
 * that the virtual clock cannot see.
 */
export interface ChunkStorage {
  getManifest(name: string): Manifest | undefined;
  /** Records a video whose chunks will arrive one by one (see ChunkStore.putManifest). */
  putManifest(manifest: Manifest): void;
  hasChunk(video: string, index: number): boolean;
  getInit(video: string): Promise<Buffer | undefined>;
  getChunk(video: string, index: number): Promise<Buffer | undefined>;
  putInit(video: string, bytes: Uint8Array): Promise<void>;
  putChunk(video: string, index: number, bytes: Uint8Array): Promise<void>;
  on(event: InventoryEvent, listener: (key: ChunkKey) => void): unknown;
}

/** Pins keep chunks a stream has read ahead from eviction until they are handed out (see ChunkStore). */
export interface ChunkPinning {
  pinChunk(video: string, index: number): void;
  unpinChunk(video: string, index: number): void;
}
