import { EventEmitter } from 'node:events';
import type { Manifest } from '../shared/manifest.js';
import { assertVideoName } from '../util/video-name-check.js';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/logger.js';
import type { BlobFiles } from './blob-files.js';
import type { ChunkIndex } from './chunk-index.js';
import { ChunkWrites } from './chunk-writes.js';
import { UsageClock } from './lru-eviction.js';
import { ManifestCache } from './manifest-cache.js';
import { PayloadReads } from './payload-reads.js';
import { PosterStore } from './poster-store.js';
import { runSql, type StoreContext } from './store-context.js';
import { videoNotFoundError } from './store-errors.js';
import { closeStoreFiles, openStoreFiles, type StoreFiles } from './store-files.js';
import { assertCapacity, assertChunkKey } from './store-input-checks.js';
import { StoreSpace } from './store-space.js';
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
import type { VideoWriter } from './video-writer.js';

/**
 * One node's chunk store: a SQLite index (videos, chunks) beside content-addressed payload files. It
 * is the only writer of its directory while open (see lock-file.ts). This class is the store's API
 * and its lifecycle; its parts share a StoreContext: capacity, pins and eviction (store-space.ts),
 * payload writes (chunk-writes.ts) and reads (payload-reads.ts).
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
  private readonly space: StoreSpace;
  private readonly writes: ChunkWrites;
  private readonly reads: PayloadReads;
  private readonly manifests: ManifestCache;
  private closed = false;

  private constructor({ dir, index, blobs, report }: StoreFiles, options: StoreOptions) {
    super();
    this.dir = dir;
    this.index = index;
    this.blobFiles = blobs;
    this.reconcileReport = report;
    this.usage = new UsageClock(index);
    this.log = options.logger ?? silentLogger();
    const context: StoreContext = {
      dir,
      index,
      blobFiles: blobs,
      usage: this.usage,
      log: this.log,
      isClosed: () => this.closed,
      assertOpen: () => this.assertOpen(),
      emit: (event, chunk) => this.emit(event, chunk),
      reportBackgroundError: (doing, error) => this.reportBackgroundError(doing, error),
    };
    this.space = new StoreSpace(context, options.capacityBytes ?? null);
    this.manifests = new ManifestCache((name) => index.video(name)?.manifest);
    this.writes = new ChunkWrites(context, this.space, this.manifests);
    this.reads = new PayloadReads(context, this.space, options.verifyReads ?? false);
    this.posters = new PosterStore({
      dir,
      db: index.db,
      log: this.log,
      manifestOf: (name) => this.manifests.get(name),
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
    return openStoreFiles(dir, async (files) => {
      const store = new ChunkStore(files, options);
      const { report } = files;
      if (report.droppedRows + report.orphanBlobs + report.tempFiles > 0) {
        store.log.warn({ dir: files.dir, ...report }, 'store reconciled after an unclean stop');
      }
      const posters = await store.posters.reconcile();
      if (posters.droppedRows > 0) store.log.warn({ dir: files.dir, ...posters }, 'posters reconciled');
      await store.space.shrinkToCapacity();
      return store;
    });
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
    closeStoreFiles(this.dir, this.index);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Starts ingesting a whole video; VIDEO_EXISTS now (not at commit) when it exists and !replace. */
  beginVideo(name: string, options: { replace: boolean }): VideoWriter {
    this.assertOpen();
    return this.writes.beginVideo(name, options.replace);
  }

  /**
   * Records a video whose chunks will arrive one by one. The same manifest again is a no-op. A live
   * stream's next manifest (same publisher, stream id and init segment, the chunks both name
   * unchanged) is recorded in place, pinned or not, its chunks kept but those its window dropped.
   * Any other different manifest replaces an unpinned video (dropping its chunks) and is refused
   * for a pinned one: a source's own video is never rewritten by what peers say.
   */
  putManifest(manifest: Manifest): void {
    this.assertOpen();
    this.writes.recordManifest(manifest);
  }

  /** Verifies chunk `index` against the stored manifest, then stores it crash-safely and indexes it. */
  async putChunk(video: string, index: number, bytes: Uint8Array): Promise<void> {
    this.assertOpen();
    await this.writes.putChunk(video, index, bytes);
  }

  /**
   * A live stream's next manifest (growing the stored one: see putManifest) and the chunk it adds,
   * made visible together: the chunk's file first, then the manifest and its row in one transaction.
   */
  async putLiveChunk(manifest: Manifest, index: number, bytes: Uint8Array): Promise<void> {
    this.assertOpen();
    await this.writes.putLiveChunk(manifest, index, bytes);
  }

  async putInit(video: string, bytes: Uint8Array): Promise<void> {
    this.assertOpen();
    await this.writes.putInit(video, bytes);
  }

  /**
   * The bytes of a held chunk, or undefined when it is not held or its file turned out bad (the row
   * is then dropped and chunk-removed emitted, so it can be fetched again). The size is always checked,
   * and the sha256 on the first read after the store opened, and on every read with `verify` or the
   * store's `verifyReads`.
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
    return this.manifests.get(name);
  }

  /**
   * Every video with what is held of it. Manifests are parsed one by one, not all read at once. A
   * video whose stored manifest is damaged is left out with a warning that says how to repair it:
   * one bad row must not hide the rest of the library.
   */
  listVideos(): VideoSummary[] {
    this.assertOpen();
    return this.index.videoSummaries().flatMap((row) => {
      let manifest: Manifest | undefined;
      try {
        manifest = this.manifests.get(row.name);
      } catch (error) {
        this.log.warn({ video: row.name, dir: this.dir }, errorMessage(error));
        return [];
      }
      if (manifest === undefined) return [];
      return [
        {
          name: row.name,
          manifest,
          pinned: row.pinned === 1,
          chunksHeld: row.chunks_held,
          bytesHeld: row.bytes_held,
          hasInit: row.has_init > 0,
          addedAt: row.added_at,
        },
      ];
    });
  }

  stats(): StoreStats {
    this.assertOpen();
    return this.space.stats();
  }

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
    await this.space.afterRemoval(removed);
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
    this.space.pins.pin(video, index);
  }

  /** Releases one pin taken with pinChunk; releasing a pin that is not held does nothing. */
  unpinChunk(video: string, index: number): void {
    this.assertOpen();
    assertChunkKey(video, index);
    this.space.unpin(video, index);
  }

  /** Bytes of payload the store may hold; null means unlimited. */
  get capacityBytes(): number | null {
    return this.space.capacity;
  }

  /** Changes the capacity and evicts down to it at once; resolves when the files are deleted. */
  async setCapacity(bytes: number | null): Promise<void> {
    this.assertOpen();
    if (bytes !== null) assertCapacity(bytes);
    this.space.capacity = bytes;
    await this.space.shrinkToCapacity();
  }

  /** Evicts every unpinned chunk; returns the payload bytes freed. Manifests stay. */
  async clearCache(): Promise<number> {
    this.assertOpen();
    return this.space.evictAll();
  }

  /**
   * Re-hashes every payload; bad ones are dropped from the index (chunk-removed) and reported.
   * Aborting `signal` stops it before the next blob (rejecting with the signal's reason); what it
   * dropped until then stays dropped.
   */
  async verifyAll(options: { signal?: AbortSignal } = {}): Promise<VerifyReport> {
    this.assertOpen();
    return this.reads.verifyAll(options.signal);
  }

  /** Resolves once background file deletions (after commit, eviction) have finished. */
  async whenIdle(): Promise<void> {
    await this.space.whenShrunk();
    await this.blobFiles.idle();
  }

  assertOpen(): void {
    if (this.closed) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `The store ${this.dir} was closed; open it again with ChunkStore.open before using it.`,
        { dir: this.dir },
      );
    }
  }

  /** Async, so a bad name or a closed store rejects rather than throws. */
  private async readPayload(video: string, idx: number, options: ReadOptions): Promise<Buffer | undefined> {
    this.assertOpen();
    assertVideoName(video);
    return await this.reads.read(video, idx, options);
  }

  private reportBackgroundError(doing: string, error: unknown): void {
    this.log.error({ dir: this.dir, err: error }, `store: failed ${doing}: ${errorMessage(error)}`);
  }

  private sql<T>(doing: string, work: () => T): T {
    return runSql(this.dir, doing, work);
  }
}
