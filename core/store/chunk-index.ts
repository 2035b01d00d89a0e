import type Database from 'better-sqlite3';

export interface ChunkRow {
  video: string;
  idx: number;
  sha256: string;
  size: number;
}

export interface VideoRow {
  name: string;
  manifest: string;
  pinned: number;
  added_at: string;
}

export interface VideoSummaryRow extends Omit<VideoRow, 'manifest'> {
  chunks_held: number;
  bytes_held: number;
  has_init: number;
}

/**
 * Every SQL statement the store runs, prepared once. Kept apart from ChunkStore so the store reads as
 * policy (what happens when) and this file as storage (how rows are found and changed).
 */
export class ChunkIndex {
  private readonly statements;

  constructor(readonly db: Database.Database) {
    const prepare = (sql: string) => db.prepare(sql);
    this.statements = {
      chunk: prepare('SELECT video, idx, sha256, size FROM chunks WHERE video = ? AND idx = ?'),
      hasChunk: prepare('SELECT 1 FROM chunks WHERE video = ? AND idx = ?').pluck(),
      shaReferenced: prepare('SELECT 1 FROM chunks WHERE sha256 = ? LIMIT 1').pluck(),
      upsertChunk: prepare(
        `INSERT INTO chunks (video, idx, sha256, size, last_used, pin_count) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (video, idx) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size,
           last_used = excluded.last_used, pin_count = excluded.pin_count`,
      ),
      deleteChunk: prepare(
        'DELETE FROM chunks WHERE video = ? AND idx = ? RETURNING video, idx, sha256, size',
      ),
      deleteChunksOfVideo: prepare('DELETE FROM chunks WHERE video = ? RETURNING video, idx, sha256, size'),
      deleteChunksWithSha: prepare('DELETE FROM chunks WHERE sha256 = ? RETURNING video, idx, sha256, size'),
      touch: prepare('UPDATE chunks SET last_used = ? WHERE video = ? AND idx = ?'),
      setPinCount: prepare('UPDATE chunks SET pin_count = ? WHERE video = ? AND idx = ?'),
      resetPins: prepare('UPDATE chunks SET pin_count = 0 WHERE pin_count <> 0'),
      maxLastUsed: prepare('SELECT MAX(last_used) FROM chunks').pluck(),
      totalBytes: prepare('SELECT COALESCE(SUM(size), 0) FROM chunks').pluck(),
      // Walks chunks_by_last_used oldest first, skipping pinned chunks and chunks of pinned videos.
      evictionCandidates: prepare(
        `SELECT c.video, c.idx, c.sha256, c.size FROM chunks c JOIN videos v ON v.name = c.video
         WHERE c.pin_count = 0 AND v.pinned = 0 AND NOT (c.video IS ? AND c.idx IS ?)
         ORDER BY c.last_used LIMIT ?`,
      ),
      video: prepare('SELECT name, manifest, pinned, added_at FROM videos WHERE name = ?'),
      videoPinned: prepare('SELECT pinned FROM videos WHERE name = ?').pluck(),
      insertVideo: prepare('INSERT INTO videos (name, manifest, pinned, added_at) VALUES (?, ?, ?, ?)'),
      deleteVideo: prepare('DELETE FROM videos WHERE name = ?'),
      setVideoManifest: prepare('UPDATE videos SET manifest = ? WHERE name = ?'),
      setVideoPinned: prepare('UPDATE videos SET pinned = ? WHERE name = ?'),
      videoSummaries: prepare(
        `SELECT v.name, v.pinned, v.added_at,
           COUNT(c.idx) FILTER (WHERE c.idx >= 0) AS chunks_held,
           COALESCE(SUM(c.size), 0) AS bytes_held,
           COUNT(c.idx) FILTER (WHERE c.idx = -1) AS has_init
         FROM videos v LEFT JOIN chunks c ON c.video = v.name GROUP BY v.name ORDER BY v.name`,
      ),
      heldAll: prepare('SELECT video, idx AS "index" FROM chunks ORDER BY video, idx'),
      heldOfVideo: prepare('SELECT video, idx AS "index" FROM chunks WHERE video = ? ORDER BY idx'),
      counts: prepare(
        `SELECT (SELECT COUNT(*) FROM videos) AS videos,
           (SELECT COUNT(*) FROM chunks WHERE idx >= 0) AS chunks,
           (SELECT COUNT(*) FROM chunks c JOIN videos v ON v.name = c.video
              WHERE c.idx >= 0 AND (v.pinned = 1 OR c.pin_count > 0)) AS pinned_chunks`,
      ),
      blobsPage: prepare(
        `SELECT sha256, MIN(size) AS size FROM chunks WHERE sha256 > ? GROUP BY sha256 ORDER BY sha256 LIMIT ?`,
      ),
      rowsWithSha: prepare('SELECT video, idx, sha256, size FROM chunks WHERE sha256 = ?'),
      // 'g' sorts after every hex digit, so [prefix, prefix + 'g') is exactly the hashes with that prefix.
      rowsWithShaPrefix: prepare(
        "SELECT video, idx, sha256, size FROM chunks WHERE sha256 >= ? AND sha256 < ? || 'g'",
      ),
    };
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  chunk(video: string, idx: number): ChunkRow | undefined {
    return this.statements.chunk.get(video, idx) as ChunkRow | undefined;
  }

  hasChunk(video: string, idx: number): boolean {
    return this.statements.hasChunk.get(video, idx) !== undefined;
  }

  isShaReferenced(sha256: string): boolean {
    return this.statements.shaReferenced.get(sha256) !== undefined;
  }

  /** Returns the size of the row it replaced (0 if none), so the byte count stays exact. */
  upsertChunk(row: ChunkRow, lastUsed: number, pinCount: number): number {
    const previous = this.chunk(row.video, row.idx);
    this.statements.upsertChunk.run(row.video, row.idx, row.sha256, row.size, lastUsed, pinCount);
    return previous?.size ?? 0;
  }

  deleteChunk(video: string, idx: number): ChunkRow[] {
    return this.statements.deleteChunk.all(video, idx) as ChunkRow[];
  }

  deleteChunksOfVideo(video: string): ChunkRow[] {
    return this.statements.deleteChunksOfVideo.all(video) as ChunkRow[];
  }

  deleteChunksWithSha(sha256: string): ChunkRow[] {
    return this.statements.deleteChunksWithSha.all(sha256) as ChunkRow[];
  }

  touchMany(entries: Iterable<[video: string, idx: number, lastUsed: number]>): void {
    this.transaction(() => {
      for (const [video, idx, lastUsed] of entries) this.statements.touch.run(lastUsed, video, idx);
    });
  }

  setPinCount(video: string, idx: number, count: number): void {
    this.statements.setPinCount.run(count, video, idx);
  }

  resetPins(): void {
    this.statements.resetPins.run();
  }

  maxLastUsed(): number {
    return (this.statements.maxLastUsed.get() as number | null) ?? 0;
  }

  totalBytes(): number {
    return this.statements.totalBytes.get() as number;
  }

  evictionCandidates(keep: { video: string; idx: number } | undefined, limit: number): ChunkRow[] {
    return this.statements.evictionCandidates.all(
      keep?.video ?? null,
      keep?.idx ?? null,
      limit,
    ) as ChunkRow[];
  }

  video(name: string): VideoRow | undefined {
    return this.statements.video.get(name) as VideoRow | undefined;
  }

  videoPinned(name: string): boolean | undefined {
    const pinned = this.statements.videoPinned.get(name) as number | undefined;
    return pinned === undefined ? undefined : pinned === 1;
  }

  /** Rewrites a video's manifest text only: its chunks, pin and age stay as they are. */
  setVideoManifest(name: string, manifestJson: string): void {
    this.statements.setVideoManifest.run(manifestJson, name);
  }

  insertVideo(name: string, manifestJson: string, pinned: boolean, addedAt: string): void {
    this.statements.insertVideo.run(name, manifestJson, pinned ? 1 : 0, addedAt);
  }

  deleteVideo(name: string): boolean {
    return this.statements.deleteVideo.run(name).changes > 0;
  }

  setVideoPinned(name: string, pinned: boolean): boolean {
    return this.statements.setVideoPinned.run(pinned ? 1 : 0, name).changes > 0;
  }

  videoSummaries(): VideoSummaryRow[] {
    return this.statements.videoSummaries.all() as VideoSummaryRow[];
  }

  held(video?: string): Array<{ video: string; index: number }> {
    return (
      video === undefined ? this.statements.heldAll.all() : this.statements.heldOfVideo.all(video)
    ) as Array<{ video: string; index: number }>;
  }

  counts(): { videos: number; chunks: number; pinned_chunks: number } {
    return this.statements.counts.get() as { videos: number; chunks: number; pinned_chunks: number };
  }

  /** Distinct blobs in hash order, a page at a time, so a full verify never loads the whole index. */
  blobsAfter(sha256: string, limit: number): Array<{ sha256: string; size: number }> {
    return this.statements.blobsPage.all(sha256, limit) as Array<{ sha256: string; size: number }>;
  }

  rowsWithSha(sha256: string): ChunkRow[] {
    return this.statements.rowsWithSha.all(sha256) as ChunkRow[];
  }

  rowsWithShaPrefix(prefix: string): ChunkRow[] {
    return this.statements.rowsWithShaPrefix.all(prefix, prefix) as ChunkRow[];
  }
}
