import { chunkKey, chunkKeyParts } from '../shared/segments.js';

/**
 * Reference-counted pins that active streams hold on chunks, so eviction leaves them alone. In
 * memory on purpose: they die with the process that took them (open() resets pin_count).
 *
 * Pins change twice per chunk a stream plays. Writing each change to SQLite on the event loop cost a
 * node tens of milliseconds (WAL writes and checkpoints), so changes are mirrored into pin_count in
 * one batch (`flush`), just before something reads that column (eviction, stats).
 */
export class ChunkPins {
  private readonly counts = new Map<string, number>();
  private readonly dirty = new Set<string>();

  pin(video: string, index: number): void {
    const key = chunkKey(video, index);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.dirty.add(key);
  }

  /** Releases one pin; true when it was the chunk's last. Releasing a pin not held does nothing. */
  unpin(video: string, index: number): boolean {
    const key = chunkKey(video, index);
    const count = this.counts.get(key);
    if (count === undefined) return false;
    if (count > 1) this.counts.set(key, count - 1);
    else this.counts.delete(key);
    this.dirty.add(key);
    return count === 1;
  }

  count(video: string, index: number): number {
    return this.counts.get(chunkKey(video, index)) ?? 0;
  }

  /** Writes the changes since the last flush through `setPinCount` (run it inside a transaction). */
  flush(setPinCount: (video: string, index: number, count: number) => void): void {
    for (const key of this.dirty) {
      const { video, index } = chunkKeyParts(key);
      setPinCount(video, index, this.counts.get(key) ?? 0);
    }
    this.dirty.clear();
  }
}
