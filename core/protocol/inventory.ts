/**
 * Inventories (which chunks of which videos a node holds) are the largest thing on the wire, so
 * their validation keeps one running budget of indexes across every list of a message.
 */
import {
  checkArray,
  checkIndex,
  checkManifestDigest,
  isAbsent,
  join,
  readObject,
  readVideoName,
  type Fields,
  own,
} from './fields.js';
import {
  MAX_INVENTORY_INDEXES,
  MAX_INVENTORY_VIDEOS,
  MAX_REQUEST_INVENTORY_INDEXES,
  MAX_REQUEST_INVENTORY_VIDEOS,
} from './limits.js';
import type { InventoryEntry } from './messages.js';
import { badField } from './problems.js';

export interface IndexBudget {
  remaining: number;
  /** The message's whole budget, for the error message. */
  readonly total: number;
  /** Videos one list may name. */
  readonly videosPerList: number;
}

/** A reply's budget (topology): the big lists travel in replies, never in requests. */
export function newIndexBudget(): IndexBudget {
  return {
    remaining: MAX_INVENTORY_INDEXES,
    total: MAX_INVENTORY_INDEXES,
    videosPerList: MAX_INVENTORY_VIDEOS,
  };
}

/** A request's budget (register, report): small enough that the header fits MAX_REQUEST_BYTES. */
export function newRequestIndexBudget(): IndexBudget {
  return {
    remaining: MAX_REQUEST_INVENTORY_INDEXES,
    total: MAX_REQUEST_INVENTORY_INDEXES,
    videosPerList: MAX_REQUEST_INVENTORY_VIDEOS,
  };
}

/** `fields[key]` as an inventory; errors name it under `at` (a topology node's path, say). */
export function readInventory(fields: Fields, key: string, budget: IndexBudget, at = ''): InventoryEntry[] {
  const listPath = join(at, key);
  const list = checkArray(own(fields, key), listPath, budget.videosPerList);
  const seen = new Set<string>();
  const entries: InventoryEntry[] = [];
  for (let i = 0; i < list.length; i++) {
    const path = join(listPath, i);
    const entry = readObject(list[i], path);
    const video = readVideoName(entry, 'video', path);
    if (seen.has(video)) {
      throw badField(join(path, 'video'), `a video not already listed in "${listPath}"`, video);
    }
    seen.add(video);
    const indexesPath = join(path, 'indexes');
    const raw = own(entry, 'indexes');
    if (!Array.isArray(raw)) throw badField(indexesPath, 'an array of chunk indexes', raw);
    if (raw.length > budget.remaining) {
      throw badField(
        indexesPath,
        `at most ${budget.total} indexes in total across the message (send the rest in further reports)`,
        raw,
      );
    }
    budget.remaining -= raw.length;
    const indexes = raw as unknown[];
    for (let j = 0; j < indexes.length; j++) checkIndex(indexes[j], join(indexesPath, j), true);
    // Optional within version 1: nodes from before digests send none, and a master never offers
    // such an entry as a holder (ChunkDirectory), since it cannot tell which content it is.
    if (isAbsent(entry, 'digest')) {
      entries.push({ video, indexes: indexes as number[] });
    } else {
      const digest = checkManifestDigest(own(entry, 'digest'), join(path, 'digest'));
      entries.push({ video, digest, indexes: indexes as number[] });
    }
  }
  return entries;
}

/** Total indexes listed, for logs and counters. */
export function countIndexes(entries: readonly InventoryEntry[]): number {
  return entries.reduce((sum, entry) => sum + entry.indexes.length, 0);
}
