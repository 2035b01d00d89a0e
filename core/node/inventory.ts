import type { ChunkKey } from '../store/types.js';
import type { InventoryEntry } from '../protocol/messages.js';

/** Groups a flat list of held chunks into the compact per-video form register/report carry. */
export function inventoryFrom(keys: Iterable<ChunkKey>): InventoryEntry[] {
  const byVideo = new Map<string, number[]>();
  for (const { video, index } of keys) {
    let indexes = byVideo.get(video);
    if (!indexes) byVideo.set(video, (indexes = []));
    indexes.push(index);
  }
  return [...byVideo].map(([video, indexes]) => ({ video, indexes }));
}
