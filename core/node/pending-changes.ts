import type { InventoryEntry } from '../protocol/messages.js';

/** Chunk changes not yet sent, by video. */
export interface ChangeSet {
  added: Map<string, Set<number>>;
  removed: Map<string, Set<number>>;
}

/**
 * A child's chunk changes (stored, evicted) waiting for its next report or register. A chunk added
 * then removed before either leaves is reported removed only, and the other way round.
 */
export class PendingChanges {
  private changes: ChangeSet = { added: new Map(), removed: new Map() };

  get empty(): boolean {
    return this.changes.added.size === 0 && this.changes.removed.size === 0;
  }

  add(video: string, index: number, added: boolean): void {
    const { added: addedSets, removed: removedSets } = this.changes;
    const [into, outOf] = added ? [addedSets, removedSets] : [removedSets, addedSets];
    outOf.get(video)?.delete(index);
    let set = into.get(video);
    if (!set) into.set(video, (set = new Set()));
    set.add(index);
  }

  /** The changes so far, leaving none: a register's inventory or a report carries them from here. */
  take(): ChangeSet {
    const taken = this.changes;
    this.changes = { added: new Map(), removed: new Map() };
    return taken;
  }

  /**
   * At most `maxIndexes` changes (added first, then removed) naming at most `maxVideos` videos per
   * list, leaving the rest: a report must fit a request's inventory budget (MAX_REQUEST_BYTES).
   */
  takeBatch(maxIndexes: number, maxVideos: number): ChangeSet {
    const batch: ChangeSet = { added: new Map(), removed: new Map() };
    let room = maxIndexes;
    for (const half of ['added', 'removed'] as const) {
      const from = this.changes[half];
      for (const [video, indexes] of from) {
        if (room === 0 || batch[half].size === maxVideos) break;
        const taken = new Set<number>();
        for (const index of indexes) {
          if (room === 0) break;
          taken.add(index);
          room -= 1;
        }
        for (const index of taken) indexes.delete(index);
        if (indexes.size === 0) from.delete(video);
        batch[half].set(video, taken);
      }
    }
    return batch;
  }

  /** Puts changes `take` returned back (they were not delivered), under any since (which are newer). */
  putBack(older: ChangeSet): void {
    const newer = this.take();
    this.changes = older;
    for (const [video, indexes] of newer.added) for (const index of indexes) this.add(video, index, true);
    for (const [video, indexes] of newer.removed) for (const index of indexes) this.add(video, index, false);
  }
}

/** A change set's half as a report's inventory, without videos left with nothing. */
export function toInventory(map: Map<string, Set<number>>): InventoryEntry[] {
  return [...map].filter(([, set]) => set.size > 0).map(([video, set]) => ({ video, indexes: [...set] }));
}
