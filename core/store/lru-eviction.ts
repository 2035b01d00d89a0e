import type { ChunkIndex, ChunkRow } from './chunk-index.js';

/** Reads are frequent; their last-used updates are written in batches of this many. */
const FLUSH_AFTER = 512;
const EVICTION_BATCH = 64;

/**
 * Least-recently-used bookkeeping kept in SQLite (chunks.last_used + its index), not in memory, so a
 * store of 100k chunks holds no per-chunk objects. last_used is a logical clock, strictly increasing,
 * so ties never make eviction order depend on timing. Read touches are buffered and flushed in one
 * transaction; losing an unflushed batch in a crash only makes a few chunks look older. (Not an
 * in-memory cache like lru-cache's: the order has to outlive the process, and eviction skips pinned
 * rows and counts bytes, which SQLite's index answers page by page.)
 */
export class UsageClock {
  private clock: number;
  private readonly pending = new Map<string, [video: string, idx: number, lastUsed: number]>();

  constructor(private readonly index: ChunkIndex) {
    this.clock = index.maxLastUsed();
  }

  /** The next tick, for a row being written now. */
  next(): number {
    return ++this.clock;
  }

  touch(video: string, idx: number): void {
    this.pending.set(`${video}\n${idx}`, [video, idx, ++this.clock]);
    if (this.pending.size >= FLUSH_AFTER) this.flush();
  }

  /** A row written after a buffered touch carries a newer tick itself; drop the stale one. */
  forget(video: string, idx: number): void {
    this.pending.delete(`${video}\n${idx}`);
  }

  flush(): void {
    if (this.pending.size === 0) return;
    this.index.touchMany(this.pending.values());
    this.pending.clear();
  }
}

/**
 * Deletes least-recently-used unpinned rows until `bytesOver` bytes are freed, never `keep` (the chunk
 * just written: evicting what a viewer is about to play would only force a refetch). Returns the rows
 * deleted; fewer bytes than asked when everything else is pinned. Run inside a transaction.
 */
export function evictLeastRecentlyUsed(
  index: ChunkIndex,
  bytesOver: number,
  keep: { video: string; idx: number } | undefined,
): ChunkRow[] {
  const evicted: ChunkRow[] = [];
  let freed = 0;
  while (freed < bytesOver) {
    const page = index.evictionCandidates(keep, EVICTION_BATCH);
    if (page.length === 0) break;
    for (const row of page) {
      if (freed >= bytesOver) break;
      index.deleteChunk(row.video, row.idx);
      evicted.push(row);
      freed += row.size;
    }
  }
  return evicted;
}
