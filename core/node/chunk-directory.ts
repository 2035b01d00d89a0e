/**
 * A master's map of which child holds which chunk. Updated by register (which replaces everything a
 * child said before, so a restarted child that re-registers never leaves stale entries), by report,
 * and by a child's death or goodbye.
 *
 * Lookups are per chunk (the hot path of `query`), so the map is keyed video -> index -> holders.
 */
export interface ChildInfo {
  name: string;
  address: string;
}

export interface InventoryEntry {
  video: string;
  indexes: number[];
}

/**
 * The directory's bounds. Each entry (a chunk a child holds) costs the master memory whatever the
 * child's word is worth, so a child cannot list more than its share and all children together no
 * more than the total; entries past either are not kept (the child still plays, and is simply not
 * named for those chunks) and are counted.
 */
export interface DirectoryLimits {
  /** Entries one child may have. Default 20,000: a 2-hour video in 1-second chunks, almost 3 times. */
  maxEntriesPerChild: number;
  /**
   * Entries of all children together. Default 150,000: about 30 MB of heap when every entry is a
   * chunk no other child holds (the worst case, ~200 bytes each), 10 MB when children hold the same
   * videos (measured, docs/BENCHMARKS.md, Floods): 64 children caching the same hour of video in
   * 2-second chunks fit (115,000).
   */
  maxEntries: number;
}

export const DEFAULT_DIRECTORY_LIMITS: DirectoryLimits = {
  maxEntriesPerChild: 20_000,
  maxEntries: 150_000,
};

/** Entries not kept, by the bound that refused them (shown in `stats` under limitHits). */
export interface DirectoryRefusals {
  perChild: number;
  total: number;
}

export class ChunkDirectory {
  private readonly holdersByChunk = new Map<string, Map<number, Set<string>>>();
  private readonly chunksByChild = new Map<string, Map<string, Set<number>>>();
  private readonly children = new Map<string, ChildInfo>();
  private readonly entriesByChild = new Map<string, number>();
  /** Children forgotten whose entries `collect` has still to drop. */
  private readonly forgotten = new Set<string>();
  private entries = 0;
  readonly refused: DirectoryRefusals = { perChild: 0, total: 0 };

  constructor(private readonly limits: DirectoryLimits = DEFAULT_DIRECTORY_LIMITS) {}

  /** Entries kept now, of all children. */
  get size(): number {
    return this.entries;
  }

  /** Registers (or re-registers) a child with its full inventory, replacing any previous entries. */
  register(child: ChildInfo, inventory: InventoryEntry[]): void {
    this.remove(child.name);
    this.children.set(child.name, { ...child });
    this.chunksByChild.set(child.name, new Map());
    this.add(child.name, inventory);
  }

  /** Applies a batched report. Unknown children are ignored: they must register first. */
  report(childName: string, added: InventoryEntry[], removed: InventoryEntry[]): boolean {
    if (!this.children.has(childName)) return false;
    this.add(childName, added);
    for (const { video, indexes } of removed) {
      const held = this.chunksByChild.get(childName)?.get(video);
      const holders = this.holdersByChunk.get(video);
      for (const index of indexes) {
        if (held?.delete(index) === true) this.count(childName, -1);
        const set = holders?.get(index);
        set?.delete(childName);
        if (set?.size === 0) holders!.delete(index);
      }
      if (held?.size === 0) this.chunksByChild.get(childName)!.delete(video);
      if (holders?.size === 0) this.holdersByChunk.delete(video);
    }
    return true;
  }

  /** Forgets a child and everything it held, at once. Returns whether it was known. */
  remove(childName: string): boolean {
    this.forgotten.delete(childName);
    this.dropEntries(childName, Number.POSITIVE_INFINITY);
    return this.children.delete(childName);
  }

  /**
   * Forgets a child at once for every lookup, and its entries over the next `collect` calls: a
   * sweep may drop many children with a full share each, and dropping 150,000 entries in one go
   * stalled the event loop 0.3-0.4 s.
   */
  forget(childName: string): boolean {
    if (!this.children.delete(childName)) return false;
    this.forgotten.add(childName);
    return true;
  }

  /** Drops up to about `budget` entries of forgotten children; whether any are left to drop. */
  collect(budget: number): boolean {
    let left = budget;
    for (const name of this.forgotten) {
      if (left <= 0) break;
      const held = this.entriesByChild.get(name) ?? 0;
      this.dropEntries(name, left);
      left -= held - (this.entriesByChild.get(name) ?? 0);
      if (!this.chunksByChild.has(name)) this.forgotten.delete(name);
    }
    return this.forgotten.size > 0;
  }

  /** Entries of children forgotten but not yet dropped remain to be collected. */
  get collecting(): boolean {
    return this.forgotten.size > 0;
  }

  /** Removes up to `budget` of a child's entries, and the child's maps once none are left. */
  private dropEntries(childName: string, budget: number): void {
    const byVideo = this.chunksByChild.get(childName);
    if (byVideo === undefined) return;
    let left = budget;
    for (const [video, indexes] of byVideo) {
      const holders = this.holdersByChunk.get(video);
      for (const index of indexes) {
        if (left <= 0) return;
        left -= 1;
        indexes.delete(index);
        this.count(childName, -1);
        const set = holders?.get(index);
        set?.delete(childName);
        if (set?.size === 0) holders!.delete(index);
      }
      byVideo.delete(video);
      if (holders?.size === 0) this.holdersByChunk.delete(video);
    }
    this.chunksByChild.delete(childName);
    this.entriesByChild.delete(childName);
  }

  /** Children holding `video` chunk `index`, excluding `exclude` (the requester never gets itself). */
  holders(video: string, index: number, exclude?: string): ChildInfo[] {
    const names = this.holdersByChunk.get(video)?.get(index);
    if (!names) return [];
    const result: ChildInfo[] = [];
    for (const name of names) {
      if (name === exclude) continue;
      const info = this.children.get(name);
      if (info) result.push(info);
    }
    return result;
  }

  child(name: string): ChildInfo | undefined {
    return this.children.get(name);
  }

  childNames(): string[] {
    return [...this.children.keys()];
  }

  /** One chunk (not an init segment) the child says it holds, or undefined when it claims none. */
  aChunkOf(childName: string): { video: string; index: number } | undefined {
    for (const [video, indexes] of this.chunksByChild.get(childName) ?? []) {
      for (const index of indexes) if (index >= 0) return { video, index };
    }
    return undefined;
  }

  /** What a child holds, as video -> sorted indexes (for topology views). */
  inventoryOf(childName: string): Record<string, number[]> {
    const result: Record<string, number[]> = {};
    for (const [video, indexes] of this.chunksByChild.get(childName) ?? []) {
      result[video] = [...indexes].sort((a, b) => a - b);
    }
    return result;
  }

  private add(childName: string, inventory: InventoryEntry[]): void {
    const byVideo = this.chunksByChild.get(childName)!;
    for (const { video, indexes } of inventory) {
      let held = byVideo.get(video);
      if (!held) byVideo.set(video, (held = new Set()));
      let holders = this.holdersByChunk.get(video);
      if (!holders) this.holdersByChunk.set(video, (holders = new Map()));
      for (const index of indexes) {
        if (held.has(index)) continue;
        if (!this.roomFor(childName)) continue;
        held.add(index);
        this.count(childName, 1);
        let set = holders.get(index);
        if (!set) holders.set(index, (set = new Set()));
        set.add(childName);
      }
      // A list refused whole must not leave empty maps behind: they would cost memory unbounded.
      if (held.size === 0) byVideo.delete(video);
      if (holders.size === 0) this.holdersByChunk.delete(video);
    }
  }

  /** Whether one more entry of this child fits both bounds; counts the refusal when not. */
  private roomFor(childName: string): boolean {
    if ((this.entriesByChild.get(childName) ?? 0) >= this.limits.maxEntriesPerChild) {
      this.refused.perChild += 1;
      return false;
    }
    if (this.entries >= this.limits.maxEntries) {
      this.refused.total += 1;
      return false;
    }
    return true;
  }

  private count(childName: string, delta: number): void {
    this.entriesByChild.set(childName, (this.entriesByChild.get(childName) ?? 0) + delta);
    this.entries += delta;
  }
}
