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

/**
 * The entries, each with the digest of the manifest its video is held under, read now: the chunks
 * listed are the ones held under it, since a replaced manifest takes its video's chunks with it.
 * An entry whose manifest is not held goes without one (the master then never offers it).
 */
export function withDigests(
  entries: readonly InventoryEntry[],
  digestOf: (video: string) => string | undefined,
): InventoryEntry[] {
  return entries.map((entry) => {
    const digest = digestOf(entry.video);
    return digest === undefined ? entry : { ...entry, digest };
  });
}

/**
 * The part of an inventory one request may carry (at most `maxIndexes` indexes over at most
 * `maxVideos` videos) and the rest, as chunk keys by video for the reports that follow.
 */
export function splitInventory(
  inventory: readonly InventoryEntry[],
  maxIndexes: number,
  maxVideos: number,
): { first: InventoryEntry[]; rest: Map<string, Set<number>> } {
  const first: InventoryEntry[] = [];
  const rest = new Map<string, Set<number>>();
  let room = maxIndexes;
  for (const { video, indexes } of inventory) {
    const take = first.length < maxVideos ? Math.min(room, indexes.length) : 0;
    if (take > 0) first.push({ video, indexes: indexes.slice(0, take) });
    room -= take;
    if (take < indexes.length) rest.set(video, new Set(indexes.slice(take)));
  }
  return { first, rest };
}
