import type { InventoryEntry } from '../protocol/messages.js';

/**
 * A master's map of which child holds which chunk. Updated by register (which replaces everything a
 * child said before, so a restarted child that re-registers never leaves stale entries), by report,
 * and by a child's death or goodbye.
 *
 * A chunk is named by its video, the manifest digest of the copy it belongs to, and its index: two
 * children may hold different videos under one name (another publisher's, another version), and an
 * asker is pointed only at holders of the manifest it holds. Each child holds one copy of a video at
 * a time, so an entry naming another digest than the one kept for that child and video says its copy
 * changed (its manifest was replaced): what it held of the video before is dropped first. An entry
 * without a digest (a node from before digests, or chunks held without their manifest) is kept and
 * counted like any other, but never offered as a holder: nobody can tell what content it is.
 *
 * Lookups are per chunk (the hot path of `query`), so the map is keyed content -> index -> holders.
 */
export interface ChildInfo {
  name: string;
  address: string;
}

/** What one child holds of one video: the manifest it holds it under, and the indexes. */
interface HeldCopy {
  digest: string | undefined;
  indexes: Set<number>;
}

/** The key of one video's content in the lookup map; a digest has a fixed length, so none collide. */
function contentKey(video: string, digest: string): string {
  return digest + video;
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
  /** Holders by content (contentKey) and index; entries without a digest are never here. */
  private readonly holdersByChunk = new Map<string, Map<number, Set<string>>>();
  private readonly chunksByChild = new Map<string, Map<string, HeldCopy>>();
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
  register(child: ChildInfo, inventory: readonly InventoryEntry[]): void {
    this.remove(child.name);
    this.children.set(child.name, { ...child });
    this.chunksByChild.set(child.name, new Map());
    this.add(child.name, inventory);
  }

  /** Applies a batched report. Unknown children are ignored: they must register first. */
  report(childName: string, added: readonly InventoryEntry[], removed: readonly InventoryEntry[]): boolean {
    if (!this.children.has(childName)) return false;
    this.add(childName, added);
    const byVideo = this.chunksByChild.get(childName)!;
    for (const { video, digest, indexes } of removed) {
      // Another digest: the child's copy changed, and nothing of the one kept here is held any more.
      if (byVideo.get(video)?.digest !== digest) this.dropCopy(childName, video);
      const copy = byVideo.get(video);
      if (copy === undefined) continue;
      for (const index of indexes) {
        if (copy.indexes.delete(index)) this.unlist(childName, video, copy.digest, index);
      }
      if (copy.indexes.size === 0) byVideo.delete(video);
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
    for (const [video, copy] of byVideo) {
      for (const index of copy.indexes) {
        if (left <= 0) return;
        left -= 1;
        copy.indexes.delete(index);
        this.unlist(childName, video, copy.digest, index);
      }
      byVideo.delete(video);
    }
    this.chunksByChild.delete(childName);
    this.entriesByChild.delete(childName);
  }

  /** Drops everything a child holds of one video (its copy was replaced by another). */
  private dropCopy(childName: string, video: string): void {
    const byVideo = this.chunksByChild.get(childName);
    const copy = byVideo?.get(video);
    if (copy === undefined) return;
    for (const index of copy.indexes) this.unlist(childName, video, copy.digest, index);
    byVideo!.delete(video);
  }

  /** Takes one entry (already gone from the child's copy) out of the counts and the lookup map. */
  private unlist(childName: string, video: string, digest: string | undefined, index: number): void {
    this.count(childName, -1);
    if (digest === undefined) return;
    const key = contentKey(video, digest);
    const holders = this.holdersByChunk.get(key);
    const set = holders?.get(index);
    set?.delete(childName);
    if (set?.size === 0) holders!.delete(index);
    if (holders?.size === 0) this.holdersByChunk.delete(key);
  }

  /**
   * Children holding chunk `index` of `video` under the manifest whose digest is `digest`,
   * excluding `exclude` (the requester never gets itself). A child holding the video under another
   * manifest, or under none it named, is never among them.
   */
  holders(video: string, digest: string, index: number, exclude?: string): ChildInfo[] {
    const names = this.holdersByChunk.get(contentKey(video, digest))?.get(index);
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

  /**
   * One chunk (not an init segment) the child says it holds under the manifest `digestOf` gives for
   * its video (the master's own), or undefined when it claims none: a chunk of another copy of the
   * video would fail the master's hashes however honest the child.
   */
  aChunkOf(
    childName: string,
    digestOf: (video: string) => string | undefined,
  ): { video: string; digest: string; index: number } | undefined {
    for (const [video, { digest, indexes }] of this.chunksByChild.get(childName) ?? []) {
      if (digest === undefined || digest !== digestOf(video)) continue;
      for (const index of indexes) if (index >= 0) return { video, digest, index };
    }
    return undefined;
  }

  /** What a child holds, as video -> sorted indexes (for topology views). */
  inventoryOf(childName: string): Record<string, number[]> {
    const result: Record<string, number[]> = {};
    for (const [video, { indexes }] of this.chunksByChild.get(childName) ?? []) {
      result[video] = [...indexes].sort((a, b) => a - b);
    }
    return result;
  }

  private add(childName: string, inventory: readonly InventoryEntry[]): void {
    const byVideo = this.chunksByChild.get(childName)!;
    for (const { video, digest, indexes } of inventory) {
      let copy = byVideo.get(video);
      if (copy !== undefined && copy.digest !== digest) {
        // The child's copy of the video changed: what it held of the old one is gone.
        this.dropCopy(childName, video);
        copy = undefined;
      }
      if (copy === undefined) byVideo.set(video, (copy = { digest, indexes: new Set() }));
      const key = digest === undefined ? undefined : contentKey(video, digest);
      let holders = key === undefined ? undefined : this.holdersByChunk.get(key);
      if (key !== undefined && holders === undefined) this.holdersByChunk.set(key, (holders = new Map()));
      for (const index of indexes) {
        if (copy.indexes.has(index)) continue;
        if (!this.roomFor(childName)) continue;
        copy.indexes.add(index);
        this.count(childName, 1);
        if (holders === undefined) continue;
        let set = holders.get(index);
        if (!set) holders.set(index, (set = new Set()));
        set.add(childName);
      }
      // A list refused whole must not leave empty maps behind: they would cost memory unbounded.
      if (copy.indexes.size === 0) byVideo.delete(video);
      if (holders?.size === 0) this.holdersByChunk.delete(key!);
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
