import type { Manifest } from '../shared/manifest.js';
import { INIT_INDEX } from '../shared/segments.js';
import { PinCountingStore } from '../store/pin-counting-store.js';
import type { ChunkStorage } from '../store/chunk-storage.js';
import type { InventorySource } from '../store/inventory-source.js';
import type { ChunkKey } from '../store/types.js';
import { HeldBits } from './held-bits.js';
import type { SharedContent } from './shared-content.js';

/** What one simulated node keeps of one video: the manifest and a bit per chunk it holds. */
interface HeldVideo {
  manifest: Manifest | undefined;
  /** Whether the manifest is the shared one, so held chunks' bytes can be read from the shared copy. */
  shared: boolean;
  init: boolean;
  held: HeldBits;
  /** Bytes of chunks of a video the shared content does not have (not in the simulator's runs). */
  own: Map<number, Buffer>;
}

/**
 * The simulator's store: per video, the manifest (sizes and hashes, one copy shared by every node
 * that got the same one) and one bit per chunk held; no bytes. A chunk is read from the one copy of
 * the video all simulated nodes share, which is byte for byte what the node stored: the fetcher
 * checked it against the manifest's sha256 before storing it. A 30-minute video costs a node about
 * 120 bytes here, against some 200 per chunk (400 with its copy of the manifest) in a
 * MemoryChunkStore, which is what keeps 100,000 simulated nodes within memory.
 */
export class LeanChunkStore extends PinCountingStore implements ChunkStorage, InventorySource {
  private readonly videos = new Map<string, HeldVideo>();

  constructor(private readonly content: SharedContent) {
    super();
  }

  getManifest(name: string): Manifest | undefined {
    return this.videos.get(name)?.manifest;
  }

  putManifest(manifest: Manifest): void {
    const video = this.video(manifest.name);
    const shared = this.content.sameAsShared(manifest);
    video.manifest = shared ?? manifest;
    video.shared = shared !== undefined;
  }

  hasChunk(video: string, index: number): boolean {
    const held = this.videos.get(video);
    if (held === undefined) return false;
    return held.own.has(index) || (index === INIT_INDEX ? held.init : held.held.has(index));
  }

  getInit(video: string): Promise<Buffer | undefined> {
    return this.getChunk(video, INIT_INDEX);
  }

  getChunk(video: string, index: number): Promise<Buffer | undefined> {
    if (!this.hasChunk(video, index)) return Promise.resolve(undefined);
    const held = this.videos.get(video)!;
    return Promise.resolve(held.own.get(index) ?? this.content.bytes(video, index));
  }

  putInit(video: string, bytes: Uint8Array): Promise<void> {
    return this.putChunk(video, INIT_INDEX, bytes);
  }

  putChunk(video: string, index: number, bytes: Uint8Array): Promise<void> {
    if (this.hasChunk(video, index)) return Promise.resolve();
    const held = this.video(video);
    // Only a shared manifest's chunks are read back from the shared copy; anything else keeps bytes.
    if (!held.shared || this.content.bytes(video, index) === undefined)
      held.own.set(index, Buffer.from(bytes));
    else if (index === INIT_INDEX) held.init = true;
    else held.held.add(index);
    if (index !== INIT_INDEX) this.emit('chunk-added', { video, index });
    return Promise.resolve();
  }

  /** Drops a chunk, as eviction does. */
  removeChunk(video: string, index: number): void {
    const held = this.videos.get(video);
    if (held === undefined || index === INIT_INDEX) return;
    const removed = held.own.delete(index) || held.held.delete(index);
    if (removed) this.emit('chunk-removed', { video, index });
  }

  heldChunks(video?: string): ChunkKey[] {
    const keys: ChunkKey[] = [];
    for (const [name, held] of this.videos) {
      if (video !== undefined && name !== video) continue;
      for (const index of held.held.indexes()) keys.push({ video: name, index });
      for (const index of held.own.keys()) if (index !== INIT_INDEX) keys.push({ video: name, index });
    }
    return keys;
  }

  private video(name: string): HeldVideo {
    let held = this.videos.get(name);
    if (held === undefined) {
      held = { manifest: undefined, shared: false, init: false, held: new HeldBits(), own: new Map() };
      this.videos.set(name, held);
    }
    return held;
  }
}
