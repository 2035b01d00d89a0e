import { EventEmitter } from 'node:events';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Manifest, SegmentRef } from '../shared/manifest.js';
import { assertVideoName } from '../util/video-name-check.js';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { BlobFiles } from './blob-files.js';
import { ChunkIndex, type ChunkRow } from './chunk-index.js';
import { GroupCommit, type Outcome } from './group-commit.js';
import { sha256HexAsync } from '../util/hash.js';
import { claimInProcess, releaseInProcess, removeLockFile, writeLockFile } from './lock-file.js';
import { UsageClock, evictLeastRecentlyUsed } from './lru.js';
import { assertStorableManifest, samePayloads } from './manifest-check.js';
import { INDEX_FILE, openIndex } from './open-index.js';
import { PosterStore } from './poster-store.js';
import { reconcile } from './reconcile.js';
import {
  translateFileError,
  translateSqliteError,
  videoExistsError,
  videoNotFoundError,
} from './store-errors.js';
import { assertCapacity, assertChunkKey, assertSettingKey, prepareDirectory } from './store-input-checks.js';
import { ManifestCache, parseStoredManifest } from './manifest-cache.js';
import {
  INIT_INDEX,
  type ChunkKey,
  type ReadOptions,
  type ReconcileReport,
  type StoreEvents,
  type StoreOptions,
  type StoreStats,
  type VerifyReport,
  type VideoSummary,
} from './types.js';
import { verifyBlobs } from './verify.js';
import { VideoWriter, type VideoWriterHost } from './video-writer.js';
import { describeSegment } from '../shared/segments.js';
import { ChunkPins } from './chunk-pins.js';

/**
 * One node's chunk store: a SQLite index (videos, chunks, settings) beside content-addressed payload
 * files. It is the only writer of its directory while open (see lock-file.ts).
 *
 * Capacity and eviction: capacity counts the payload bytes of every held chunk and init segment. When
 * a put takes the store over capacity, least-recently-used unpinned chunks of unpinned videos are
 * evicted, never the chunk just put. When everything else is pinned the put still succeeds and the
 * store stays over capacity: pins are promises to active streams and to a source's own videos, and a
 * chunk refused now would only be requested again by the stream that is playing it. The overrun is
 * bounded by what is pinned. When the last pin of a chunk goes while the store is over capacity,
 * one shrink runs at the end of that turn (streams release their pins in bursts), so the store does
 * not stay over once plays end; under capacity, releasing a pin costs nothing but a map update.
 */
export class ChunkStore extends EventEmitter<StoreEvents> {
  readonly dir: string;
  /** What open() repaired on disk. */
  readonly reconcileReport: ReconcileReport;
  /** Poster frames of the videos, kept beside the chunks (see poster-store.ts). */
  readonly posters: PosterStore;
  private readonly index: ChunkIndex;
  private readonly blobFiles: BlobFiles;
  private readonly usage: UsageClock;
  private readonly log: Logger;
  private readonly verifyReads: boolean;
  private capacity: number | null;
  private bytesHeld: number;
  private readonly pins = new ChunkPins();
  private readonly manifests: ManifestCache;
  private readonly writers = new Set<string>();
  private readonly indexBatch = new GroupCommit<PendingPut, PutResult>((puts) => this.indexPuts(puts));
  private closed = false;
  /** A shrink back to capacity, due at the end of this turn, once the last pin on a chunk went. */
  private shrinkDue: Promise<void> | undefined;

  private constructor(
    dir: string,
    index: ChunkIndex,
    blobs: BlobFiles,
    report: ReconcileReport,
    options: StoreOptions,
  ) {
    super();
    this.dir = dir;
    this.index = index;
    this.blobFiles = blobs;
    this.reconcileReport = report;
    this.usage = new UsageClock(index);
    this.log = options.logger ?? silentLogger();
    this.verifyReads = options.verifyReads ?? false;
    this.capacity = options.capacityBytes ?? null;
    this.bytesHeld = index.totalBytes();
    this.manifests = new ManifestCache((name) => index.video(name)?.manifest);
    this.posters = new PosterStore({
      dir,
      db: index.db,
      log: this.log,
      manifestOf: (name) => this.manifestOf(name),
      assertOpen: () => this.assertOpen(),
      sql: (doing, work) => this.sql(doing, work),
    });
  }

  /**
   * Opens (creating if needed) the store in `dir`, takes its lock and reconciles index and files.
   * Throws STORE_LOCKED, STORE_NOT_WRITABLE, STORE_CORRUPT or DISK_FULL with what to do next.
   */
  static async open(dir: string, options: StoreOptions = {}): Promise<ChunkStore> {
    if (options.capacityBytes !== undefined) assertCapacity(options.capacityBytes);
    const storeDir = path.resolve(dir);
    await prepareDirectory(storeDir);
    claimInProcess(storeDir);
    let db: Database.Database | undefined;
    try {
      db = openIndex(storeDir);
      const index = new ChunkIndex(db);
      const blobs = new BlobFiles(storeDir, (sha256) => index.isShaReferenced(sha256));
      await blobs.createDirs();
      const report = await reconcile(index, blobs).catch((error: unknown) => {
        throw translateFileError(error, storeDir, storeDir, 'reconciling the index with the chunk files');
      });
      // Stream pins belong to the process that took them; after a restart none is held.
      index.resetPins();
      writeLockFile(storeDir);
      const store = new ChunkStore(storeDir, index, blobs, report, options);
      if (report.droppedRows + report.orphanBlobs + report.tempFiles > 0) {
        store.log.warn({ dir: storeDir, ...report }, 'store reconciled after an unclean stop');
      }
      const posters = await store.posters.reconcile();
      if (posters.droppedRows > 0) store.log.warn({ dir: storeDir, ...posters }, 'posters reconciled');
      await store.shrinkToCapacity();
      return store;
    } catch (error) {
      db?.close();
      releaseInProcess(storeDir);
      throw translateSqliteError(error, storeDir, path.join(storeDir, INDEX_FILE), 'opening the store');
    }
  }

  /** Flushes pending last-used updates and releases the lock. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.usage.flush();
    } catch (error) {
      // Only LRU order is lost; the lock must still be released below.
      this.log.warn({ dir: this.dir, err: error }, 'could not save last-used times on close');
    }
    this.index.db.close();
    try {
      removeLockFile(this.dir);
    } finally {
      releaseInProcess(this.dir);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- ingest -------------------------------------------------------------------------------------

  /** Starts ingesting a whole video; VIDEO_EXISTS now (not at commit) when it exists and !replace. */
  beginVideo(name: string, options: { replace: boolean }): VideoWriter {
    this.assertOpen();
    assertVideoName(name);
    if (this.writers.has(name)) {
      throw new PeerStreamerError(
        'VIDEO_EXISTS',
        `An ingest of ${JSON.stringify(name)} into ${this.dir} is already in progress; wait for it to finish or abort it.`,
        { video: name, dir: this.dir },
      );
    }
    if (!options.replace && this.index.video(name) !== undefined) throw videoExistsError(this.dir, name);
    this.writers.add(name);
    return new VideoWriter(this.writerHost(), name, options.replace);
  }

  // ---- caching nodes ------------------------------------------------------------------------------

  /**
   * Records a video whose chunks will arrive one by one. The same manifest again is a no-op. A
   * different manifest replaces an unpinned video (dropping its chunks) and is refused for a pinned
   * one: a source's own video is never rewritten by what peers say.
   */
  putManifest(manifest: Manifest): void {
    this.assertOpen();
    assertStorableManifest(manifest);
    const name = manifest.name;
    const existing = this.manifestOf(name);
    if (existing !== undefined && samePayloads(existing, manifest)) return;
    if (existing !== undefined && this.index.videoPinned(name) === true) {
      throw new PeerStreamerError(
        'VIDEO_EXISTS',
        `${JSON.stringify(name)} is pinned in ${this.dir} (a video this node ingested or pinned) with a different manifest; it is not replaced by another one. Delete it first if the new version should win.`,
        { video: name, dir: this.dir },
      );
    }
    const removed = this.sql('recording a manifest', () =>
      this.index.transaction(() => {
        const rows = this.index.deleteChunksOfVideo(name);
        this.index.deleteVideo(name);
        this.index.insertVideo(name, JSON.stringify(manifest), false, new Date().toISOString());
        return rows;
      }),
    );
    this.manifests.forget(name);
    this.afterRemoval(removed);
  }

  /** Verifies chunk `index` against the stored manifest, then stores it crash-safely and indexes it. */
  async putChunk(video: string, index: number, bytes: Uint8Array): Promise<void> {
    this.assertOpen();
    const manifest = this.requireManifest(video);
    if (!Number.isSafeInteger(index) || index < 0 || index >= manifest.chunks.length) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `Chunk index ${String(index)} is outside ${JSON.stringify(video)}, which has chunks 0..${manifest.chunks.length - 1}.`,
        { video, index },
      );
    }
    await this.putPayload(video, index, manifest.chunks[index]!, bytes);
  }

  async putInit(video: string, bytes: Uint8Array): Promise<void> {
    this.assertOpen();
    const manifest = this.requireManifest(video);
    if (manifest.init === null) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `${JSON.stringify(video)} is a legacy byte-split video and has no init segment to store.`,
        { video },
      );
    }
    await this.putPayload(video, INIT_INDEX, manifest.init, bytes);
  }

  // ---- reads --------------------------------------------------------------------------------------

  /**
   * The bytes of a held chunk, or undefined when it is not held or its file turned out bad (the row
   * is then dropped and chunk-removed emitted, so it can be fetched again). The size is always checked;
   * the sha256 too with `verify` or the store's `verifyReads`.
   */
  getChunk(video: string, index: number, options: ReadOptions = {}): Promise<Buffer | undefined> {
    return this.readPayload(video, index, options);
  }

  getInit(video: string, options: ReadOptions = {}): Promise<Buffer | undefined> {
    return this.readPayload(video, INIT_INDEX, options);
  }

  hasChunk(video: string, index: number): boolean {
    this.assertOpen();
    assertVideoName(video);
    return this.index.hasChunk(video, index);
  }

  /** Every held chunk (of one video, or all), init segments as index -1: the inventory peers are told. */
  heldChunks(video?: string): ChunkKey[] {
    this.assertOpen();
    if (video !== undefined) assertVideoName(video);
    return this.index.held(video);
  }

  /** The stored manifest. It is shared and frozen: copy it before changing anything. */
  getManifest(name: string): Manifest | undefined {
    this.assertOpen();
    assertVideoName(name);
    return this.manifestOf(name);
  }

  /** Every video with what is held of it. Manifests are parsed one by one, not all read at once. */
  listVideos(): VideoSummary[] {
    this.assertOpen();
    return this.index.videoSummaries().map((row) => ({
      name: row.name,
      manifest:
        this.manifests.get(row.name) ?? parseStoredManifest(row.name, this.index.video(row.name)!.manifest),
      pinned: row.pinned === 1,
      chunksHeld: row.chunks_held,
      bytesHeld: row.bytes_held,
      hasInit: row.has_init > 0,
      addedAt: row.added_at,
    }));
  }

  stats(): StoreStats {
    this.assertOpen();
    this.sql('saving chunk pins', () => this.index.transaction(() => this.flushPins()));
    const counts = this.index.counts();
    return {
      videos: counts.videos,
      chunks: counts.chunks,
      bytes: this.bytesHeld,
      capacityBytes: this.capacity,
      pinnedChunks: counts.pinned_chunks,
    };
  }

  // ---- removal, pins, capacity --------------------------------------------------------------------

  async deleteVideo(name: string): Promise<void> {
    this.assertOpen();
    assertVideoName(name);
    const removed = this.sql('deleting a video', () =>
      this.index.transaction(() => {
        const rows = this.index.deleteChunksOfVideo(name);
        if (!this.index.deleteVideo(name)) throw videoNotFoundError(this.dir, name);
        return rows;
      }),
    );
    this.manifests.forget(name);
    await this.afterRemoval(removed);
  }

  /** Pins or unpins a whole video (a source's own videos are pinned). Unpinning does not evict at once. */
  pinVideo(name: string, pinned: boolean): void {
    this.assertOpen();
    assertVideoName(name);
    if (!this.sql('pinning a video', () => this.index.setVideoPinned(name, pinned))) {
      throw videoNotFoundError(this.dir, name);
    }
  }

  /** Takes one reference-counted pin on a chunk (or the init segment, -1); it may not be held yet. */
  pinChunk(video: string, index: number): void {
    this.assertOpen();
    assertChunkKey(video, index);
    this.pins.pin(video, index);
  }

  /** Releases one pin taken with pinChunk; releasing a pin that is not held does nothing. */
  unpinChunk(video: string, index: number): void {
    this.assertOpen();
    assertChunkKey(video, index);
    const wasLast = this.pins.unpin(video, index);
    // A chunk kept over capacity while a stream needed it goes now, not at the next put (which may
    // never come once plays end): streams release their pins in a burst, so one shrink serves them.
    if (wasLast && this.overCapacity(0) > 0) this.scheduleShrink();
  }

  /** Bytes of payload the store may hold; null means unlimited. */
  get capacityBytes(): number | null {
    return this.capacity;
  }

  /** Changes the capacity and evicts down to it at once; resolves when the files are deleted. */
  async setCapacity(bytes: number | null): Promise<void> {
    this.assertOpen();
    if (bytes !== null) assertCapacity(bytes);
    this.capacity = bytes;
    await this.shrinkToCapacity();
  }

  /** Evicts every unpinned chunk; returns the payload bytes freed. Manifests stay. */
  async clearCache(): Promise<number> {
    this.assertOpen();
    const evicted = this.evict(Number.POSITIVE_INFINITY, undefined);
    await this.afterRemoval(evicted);
    return evicted.reduce((sum, row) => sum + row.size, 0);
  }

  // ---- maintenance --------------------------------------------------------------------------------

  /**
   * Re-hashes every payload; bad ones are dropped from the index (chunk-removed) and reported.
   * Aborting `signal` stops it before the next blob (rejecting with the signal's reason); what it
   * dropped until then stays dropped.
   */
  async verifyAll(options: { signal?: AbortSignal } = {}): Promise<VerifyReport> {
    this.assertOpen();
    try {
      return await verifyBlobs(this.index, this.blobFiles, (sha256) => this.dropBlob(sha256), options.signal);
    } finally {
      // Deletions of dropped blobs finish before the caller may close the store, aborted or not.
      await this.blobFiles.idle();
    }
  }

  /** Resolves once background file deletions (after commit, eviction) have finished. */
  async whenIdle(): Promise<void> {
    await this.shrinkDue;
    await this.blobFiles.idle();
  }

  getSetting<T = unknown>(key: string): T | undefined {
    this.assertOpen();
    assertSettingKey(key);
    const json = this.index.getSetting(key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  /** Stores any JSON value under `key`; undefined deletes it. */
  setSetting(key: string, value: unknown): void {
    this.assertOpen();
    assertSettingKey(key);
    const json = value === undefined ? undefined : JSON.stringify(value);
    this.sql('saving a setting', () =>
      json === undefined ? this.index.deleteSetting(key) : this.index.setSetting(key, json),
    );
  }

  // ---- internals ----------------------------------------------------------------------------------

  assertOpen(): void {
    if (this.closed) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `The store ${this.dir} was closed; open it again with ChunkStore.open before using it.`,
        { dir: this.dir },
      );
    }
  }

  private async putPayload(
    video: string,
    idx: number,
    expected: SegmentRef,
    bytes: Uint8Array,
  ): Promise<void> {
    const what = describeSegment(idx);
    const mismatch = (actual: string): PeerStreamerError =>
      new PeerStreamerError(
        'INVALID_CHECKSUM',
        `${what} of ${JSON.stringify(video)} has ${bytes.length} bytes with sha256 ${actual}, but the manifest expects ${expected.size} bytes with sha256 ${expected.sha256}. Nothing was stored; fetch it again from another peer.`,
        {
          video,
          index: idx,
          expected: expected.sha256,
          actual,
          expectedSize: expected.size,
          actualSize: bytes.length,
        },
      );
    if (bytes.length !== expected.size) throw mismatch(await sha256HexAsync(bytes));
    const stored = await this.blobFiles.store(bytes, expected.sha256);
    if (!stored.matches) throw mismatch(stored.sha256);
    let indexed = false;
    try {
      const result = await this.indexBatch.enqueue({ video, idx, expected, what });
      indexed = true;
      this.bytesHeld += result.grown;
      this.emit('chunk-added', { video, index: idx });
      await this.afterRemoval(result.evicted);
    } finally {
      this.blobFiles.release(expected.sha256);
      if (!indexed) await this.blobFiles.deleteUnreferenced([expected.sha256]);
    }
  }

  /**
   * Indexes chunk files written by concurrent puts in one transaction (see GroupCommit). Each row is
   * upserted and makes room for itself in turn, exactly as separate puts would, so eviction never
   * takes the chunk just put.
   */
  private indexPuts(puts: PendingPut[]): Array<Outcome<PutResult>> {
    this.assertOpen();
    // Bytes this batch added so far, net of what it evicted; bytesHeld learns them as each put settles.
    let batchBytes = 0;
    return this.sql('indexing chunks', () =>
      this.index.transaction(() =>
        puts.map(({ video, idx, expected, what }): Outcome<PutResult> => {
          // The video may have been deleted or replaced while the file was being written.
          const now = this.manifestOf(video);
          const ref = now === undefined ? undefined : idx === INIT_INDEX ? now.init : now.chunks[idx];
          if (ref?.sha256 !== expected.sha256 || ref.size !== expected.size) {
            const error = new PeerStreamerError(
              'VIDEO_NOT_FOUND',
              `${JSON.stringify(video)} was deleted or replaced in ${this.dir} while its ${what} was being stored; the chunk was not kept.`,
              { video, index: idx },
            );
            return { ok: false, error };
          }
          const row: ChunkRow = { video, idx, sha256: expected.sha256, size: expected.size };
          const pins = this.pins.count(video, idx);
          const replacedSize = this.index.upsertChunk(row, this.usage.next(), pins);
          this.usage.forget(video, idx);
          const grown = expected.size - replacedSize;
          const evicted = this.evict(this.overCapacity(batchBytes + grown), { video, idx });
          batchBytes += grown - evicted.reduce((sum, gone) => sum + gone.size, 0);
          return { ok: true, value: { grown, evicted } };
        }),
      ),
    );
  }

  private async readPayload(video: string, idx: number, options: ReadOptions): Promise<Buffer | undefined> {
    this.assertOpen();
    assertVideoName(video);
    const row = this.index.chunk(video, idx);
    if (row === undefined) return undefined;
    const bytes = await this.blobFiles.read(row.sha256, row.size).catch((error: unknown) => {
      throw translateFileError(error, this.dir, this.blobFiles.pathOf(row.sha256), 'reading a chunk');
    });
    const verify = options.verify === true || this.verifyReads;
    const good = bytes !== undefined && (!verify || (await sha256HexAsync(bytes)) === row.sha256);
    // Closed meanwhile: the index can no longer be repaired, but bad bytes are still never returned.
    if (this.closed) return good ? bytes : undefined;
    if (!good) {
      this.dropBlob(row.sha256, bytes === undefined ? 'missing or of the wrong size' : 'of the wrong sha256');
      return undefined;
    }
    this.usage.touch(video, idx);
    return bytes;
  }

  /** Drops every row sharing a bad blob (they all have the same bytes) and deletes the file. */
  private dropBlob(sha256: string, why?: string): ChunkRow[] {
    const rows = this.sql('dropping a damaged chunk', () => this.index.deleteChunksWithSha(sha256));
    if (why !== undefined && rows.length > 0) {
      this.log.warn(
        { dir: this.dir, sha256, rows: rows.length },
        `chunk file was ${why}; dropped from the index`,
      );
    }
    void this.afterRemoval(rows);
    return rows;
  }

  /** Bytes by which holding `grown` more bytes would exceed capacity (0 or less when it fits). */
  private overCapacity(grown: number): number {
    return this.capacity === null ? 0 : this.bytesHeld + grown - this.capacity;
  }

  /** Deletes LRU rows covering `bytesOver`; byte count and events are settled by afterRemoval(). */
  private evict(bytesOver: number, keep: { video: string; idx: number } | undefined): ChunkRow[] {
    if (bytesOver <= 0) return [];
    return this.sql('evicting chunks', () =>
      this.index.transaction(() => {
        this.usage.flush();
        this.flushPins();
        return evictLeastRecentlyUsed(this.index, bytesOver, keep);
      }),
    );
  }

  /** Writes pin changes since the last flush into pin_count. Run inside a transaction. */
  private flushPins(): void {
    this.pins.flush((video, index, count) => this.index.setPinCount(video, index, count));
  }

  private scheduleShrink(): void {
    this.shrinkDue ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => {
        this.shrinkDue = undefined;
        if (!this.closed && this.overCapacity(0) > 0) return this.shrinkToCapacity();
      })
      .catch((error: unknown) => this.reportBackgroundError('evicting chunks after their pins went', error));
  }

  private async shrinkToCapacity(): Promise<void> {
    await this.afterRemoval(this.evict(this.overCapacity(0), undefined));
  }

  /** Bookkeeping once rows are gone: byte count, events, then deleting files nobody references. */
  private afterRemoval(rows: ChunkRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    for (const row of rows) this.bytesHeld -= row.size;
    for (const row of rows) this.emit('chunk-removed', { video: row.video, index: row.idx });
    const deletion = this.blobFiles.deleteUnreferenced(rows.map((row) => row.sha256));
    deletion.catch((error: unknown) => this.reportBackgroundError('deleting unused chunk files', error));
    return deletion;
  }

  private commitVideo(manifest: Manifest, pinned: boolean, replace: boolean): void {
    this.assertOpen();
    const name = manifest.name;
    if (!replace && this.index.video(name) !== undefined) throw videoExistsError(this.dir, name);
    const payloads: ChunkRow[] = manifest.chunks.map((chunk) => ({
      video: name,
      idx: chunk.index,
      sha256: chunk.sha256,
      size: chunk.size,
    }));
    if (manifest.init !== null) payloads.unshift({ video: name, idx: INIT_INDEX, ...manifest.init });
    const added = payloads.reduce((sum, row) => sum + row.size, 0);
    const { removed, evicted } = this.sql('committing a video', () =>
      this.index.transaction(() => {
        const removed = this.index.deleteChunksOfVideo(name);
        this.index.deleteVideo(name);
        this.index.insertVideo(name, JSON.stringify(manifest), pinned, new Date().toISOString());
        for (const row of payloads) {
          this.index.upsertChunk(row, this.usage.next(), this.pins.count(name, row.idx));
          this.usage.forget(name, row.idx);
        }
        const freed = removed.reduce((sum, row) => sum + row.size, 0);
        // Eviction must see the total without the replaced rows; afterRemoval settles them for good.
        this.bytesHeld -= freed;
        try {
          return { removed, evicted: this.evict(this.overCapacity(added), undefined) };
        } finally {
          this.bytesHeld += freed;
        }
      }),
    );
    this.bytesHeld += added;
    this.manifests.forget(name);
    void this.afterRemoval([...removed, ...evicted]);
    for (const row of payloads) this.emit('chunk-added', { video: name, index: row.idx });
  }

  private writerHost(): VideoWriterHost {
    return {
      dir: this.dir,
      blobs: this.blobFiles,
      assertOpen: () => this.assertOpen(),
      commitVideo: (manifest, pinned, replace) => this.commitVideo(manifest, pinned, replace),
      writerFinished: (name) => this.writers.delete(name),
      reportBackgroundError: (doing, error) => this.reportBackgroundError(doing, error),
    };
  }

  private reportBackgroundError(doing: string, error: unknown): void {
    this.log.error({ dir: this.dir, err: error }, `store: failed ${doing}: ${errorMessage(error)}`);
  }

  private manifestOf(name: string): Manifest | undefined {
    return this.manifests.get(name);
  }

  private requireManifest(video: string): Manifest {
    assertVideoName(video);
    const manifest = this.manifestOf(video);
    if (manifest === undefined) throw videoNotFoundError(this.dir, video);
    return manifest;
  }

  /** Runs index work, turning SQLite's disk-full and corruption errors into coded store errors. */
  private sql<T>(doing: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw translateSqliteError(error, this.dir, path.join(this.dir, INDEX_FILE), doing);
    }
  }
}

/** A put whose file is written and waits for its index row. */
interface PendingPut {
  video: string;
  idx: number;
  expected: SegmentRef;
  /** "chunk 3" or "the init segment", for messages. */
  what: string;
}

interface PutResult {
  /** Bytes the store grew by (less when the row replaced one). */
  grown: number;
  evicted: ChunkRow[];
}
