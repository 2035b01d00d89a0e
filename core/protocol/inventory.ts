/**
 * Inventories (which chunks of which videos a node holds) are the largest thing on the wire, so
 * their validation keeps one running budget of indexes across every list of a message.
 */
import { checkArray, checkIndex, join, readObject, readVideoName, type Fields, own } from './fields.js';
import { MAX_INVENTORY_INDEXES, MAX_INVENTORY_VIDEOS } from './limits.js';
import type { InventoryEntry } from './messages.js';
import { badField } from './problems.js';

export interface IndexBudget {
  remaining: number;
}

export function newIndexBudget(): IndexBudget {
  return { remaining: MAX_INVENTORY_INDEXES };
}

export function readInventory(fields: Fields, key: string, budget: IndexBudget): InventoryEntry[] {
  const list = checkArray(own(fields, key), key, MAX_INVENTORY_VIDEOS);
  const seen = new Set<string>();
  const entries: InventoryEntry[] = [];
  for (let i = 0; i < list.length; i++) {
    const path = join(key, i);
    const entry = readObject(list[i], path);
    const video = readVideoName(entry, 'video', path);
    if (seen.has(video)) {
      throw badField(join(path, 'video'), `a video not already listed in "${key}"`, video);
    }
    seen.add(video);
    const indexesPath = join(path, 'indexes');
    const raw = own(entry, 'indexes');
    if (!Array.isArray(raw)) throw badField(indexesPath, 'an array of chunk indexes', raw);
    if (raw.length > budget.remaining) {
      throw badField(
        indexesPath,
        `at most ${MAX_INVENTORY_INDEXES} indexes in total across the message`,
        raw,
      );
    }
    budget.remaining -= raw.length;
    const indexes = raw as unknown[];
    for (let j = 0; j < indexes.length; j++) checkIndex(indexes[j], join(indexesPath, j), true);
    entries.push({ video, indexes: indexes as number[] });
  }
  return entries;
}

/** Total indexes listed, for logs and counters. */
export function countIndexes(entries: readonly InventoryEntry[]): number {
  return entries.reduce((sum, entry) => sum + entry.indexes.length, 0);
}
