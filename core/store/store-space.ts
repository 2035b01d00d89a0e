import type { ChunkRow } from './chunk-index.js';
import { ChunkPins } from './chunk-pins.js';
import { evictLeastRecentlyUsed } from './lru-eviction.js';
import { runSql, type StoreContext } from './store-context.js';
import type { StoreStats } from './types.js';

/**
 * How much a ChunkStore holds against its capacity (its stats), the pins that keep chunks from eviction, and the
 * eviction that keeps it under.
 *
 * Capacity counts the payload bytes of every held chunk and init segment. When a put takes the store
 * over capacity, least-recently-used unpinned chunks of unpinned videos are evicted, never the chunk
 * just put. When everything else is pinned the put still succeeds and the store stays over capacity:
 * pins are promises to active streams and to a source's own videos, and a chunk refused now would
 * only be requested again by the stream that is playing it. The overrun is bounded by what is
 * pinned. When the last pin of a chunk goes while the store is over capacity, one shrink runs at the
 * end of that turn (streams release their pins in bursts), so the store does not stay over once plays
 * end; under capacity, releasing a pin costs nothing but a map update.
 */
export class StoreSpace {
  readonly pins = new ChunkPins();
  /** Payload bytes of every held chunk, kept here so a put need not sum the index. */
  bytesHeld: number;
  /** Bytes of payload the store may hold; null means unlimited. */
  capacity: number | null;
  /** A shrink back to capacity, due at the end of this turn, once the last pin on a chunk went. */
  private shrinkDue: Promise<void> | undefined;

  constructor(
    private readonly store: StoreContext,
    capacity: number | null,
  ) {
    this.capacity = capacity;
    this.bytesHeld = store.index.totalBytes();
  }

  /** Bytes by which holding `grown` more bytes would exceed capacity (0 or less when it fits). */
  overCapacity(grown: number): number {
    return this.capacity === null ? 0 : this.bytesHeld + grown - this.capacity;
  }

  /** Releases one pin; a chunk kept over capacity for a stream goes once its last pin has. */
  unpin(video: string, index: number): void {
    const wasLast = this.pins.unpin(video, index);
    // Not at the next put (which may never come once plays end): streams release their pins in a
    // burst, so one shrink serves them.
    if (wasLast && this.overCapacity(0) > 0) this.scheduleShrink();
  }

  /** Deletes LRU rows covering `bytesOver`; byte count and events are settled by afterRemoval(). */
  evict(bytesOver: number, keep: { video: string; idx: number } | undefined): ChunkRow[] {
    if (bytesOver <= 0) return [];
    const { index, usage } = this.store;
    return runSql(this.store.dir, 'evicting chunks', () =>
      index.transaction(() => {
        usage.flush();
        this.flushPins();
        return evictLeastRecentlyUsed(index, bytesOver, keep);
      }),
    );
  }

  /** Writes pin changes since the last flush into pin_count. Run inside a transaction. */
  flushPins(): void {
    this.pins.flush((video, index, count) => this.store.index.setPinCount(video, index, count));
  }

  /** What is held against capacity; pin counts are written first, so the index's count is current. */
  stats(): StoreStats {
    const { dir, index } = this.store;
    runSql(dir, 'saving chunk pins', () => index.transaction(() => this.flushPins()));
    const counts = index.counts();
    return {
      videos: counts.videos,
      chunks: counts.chunks,
      bytes: this.bytesHeld,
      capacityBytes: this.capacity,
      pinnedChunks: counts.pinned_chunks,
    };
  }

  /** Evicts every unpinned chunk; returns the payload bytes freed. */
  async evictAll(): Promise<number> {
    const evicted = this.evict(Number.POSITIVE_INFINITY, undefined);
    await this.afterRemoval(evicted);
    return evicted.reduce((sum, row) => sum + row.size, 0);
  }

  async shrinkToCapacity(): Promise<void> {
    await this.afterRemoval(this.evict(this.overCapacity(0), undefined));
  }

  /** Resolves once a shrink due at the end of this turn has run. */
  async whenShrunk(): Promise<void> {
    await this.shrinkDue;
  }

  /** Bookkeeping once rows are gone: byte count, events, then deleting files nobody references. */
  afterRemoval(rows: ChunkRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    for (const row of rows) this.bytesHeld -= row.size;
    for (const row of rows) this.store.emit('chunk-removed', { video: row.video, index: row.idx });
    const deletion = this.store.blobFiles.deleteUnreferenced(rows.map((row) => row.sha256));
    deletion.catch((error: unknown) =>
      this.store.reportBackgroundError('deleting unused chunk files', error),
    );
    return deletion;
  }

  private scheduleShrink(): void {
    this.shrinkDue ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => {
        this.shrinkDue = undefined;
        if (!this.store.isClosed() && this.overCapacity(0) > 0) return this.shrinkToCapacity();
      })
      .catch((error: unknown) =>
        this.store.reportBackgroundError('evicting chunks after their pins went', error),
      );
  }
}
