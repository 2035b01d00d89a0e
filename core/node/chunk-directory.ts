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

export class ChunkDirectory {
  private readonly holdersByChunk = new Map<string, Map<number, Set<string>>>();
  private readonly chunksByChild = new Map<string, Map<string, Set<number>>>();
  private readonly children = new Map<string, ChildInfo>();

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
        held?.delete(index);
        const set = holders?.get(index);
        set?.delete(childName);
        if (set?.size === 0) holders!.delete(index);
      }
      if (held?.size === 0) this.chunksByChild.get(childName)!.delete(video);
      if (holders?.size === 0) this.holdersByChunk.delete(video);
    }
    return true;
  }

  /** Forgets a child and everything it held. Returns whether it was known. */
  remove(childName: string): boolean {
    const held = this.chunksByChild.get(childName);
    if (held) {
      for (const [video, indexes] of held) {
        this.report(childName, [], [{ video, indexes: [...indexes] }]);
      }
    }
    this.chunksByChild.delete(childName);
    return this.children.delete(childName);
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
        held.add(index);
        let set = holders.get(index);
        if (!set) holders.set(index, (set = new Set()));
        set.add(childName);
      }
    }
  }
}
