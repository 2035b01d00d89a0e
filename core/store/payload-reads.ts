import type { ChunkRow } from './chunk-index.js';
import { sha256HexAsync } from '../util/hash.js';
import { runSql, type StoreContext } from './store-context.js';
import { translateFileError } from './store-errors.js';
import type { StoreSpace } from './store-space.js';
import type { ReadOptions, VerifyReport } from './types.js';
import { verifyBlobs } from './verify.js';

/**
 * Reads of payloads through the index, the full re-hash of them all, and what a bad file found on the
 * way costs: its rows, so the chunk is fetched again rather than served wrong. Every read counts as a
 * use for LRU order.
 */
export class PayloadReads {
  /**
   * Files whose bytes were hashed and found right since this store was opened. A node never hands
   * out bytes that fail their hash, so each file is hashed on its first read after an open (a byte
   * flipped on disk while the node was down is caught there) and trusted from then on: one sha256
   * per chunk per run, not per request. Bounded by the files the store holds.
   */
  private readonly sound = new Set<string>();

  constructor(
    private readonly store: StoreContext,
    private readonly space: StoreSpace,
    private readonly verifyReads: boolean,
  ) {}

  /** The bytes of payload `idx` of `video` if held and sound (see ChunkStore.getChunk). */
  async read(video: string, idx: number, options: ReadOptions): Promise<Buffer | undefined> {
    const { dir, index, blobFiles } = this.store;
    const row = index.chunk(video, idx);
    if (row === undefined) return undefined;
    const bytes = await blobFiles.read(row.sha256, row.size).catch((error: unknown) => {
      throw translateFileError(error, dir, blobFiles.pathOf(row.sha256), 'reading a chunk');
    });
    const verify = options.verify === true || this.verifyReads || !this.sound.has(row.sha256);
    const good = bytes !== undefined && (!verify || (await sha256HexAsync(bytes)) === row.sha256);
    if (good) this.sound.add(row.sha256);
    // Closed meanwhile: the index can no longer be repaired, but bad bytes are still never returned.
    if (this.store.isClosed()) return good ? bytes : undefined;
    if (!good) {
      this.dropBlob(row.sha256, bytes === undefined ? 'missing or of the wrong size' : 'of the wrong sha256');
      return undefined;
    }
    this.store.usage.touch(video, idx);
    return bytes;
  }

  /** See ChunkStore.verifyAll. */
  async verifyAll(signal: AbortSignal | undefined): Promise<VerifyReport> {
    const { index, blobFiles } = this.store;
    try {
      return await verifyBlobs(index, blobFiles, (sha256) => this.dropBlob(sha256), signal);
    } finally {
      // Deletions of dropped blobs finish before the caller may close the store, aborted or not.
      await blobFiles.idle();
    }
  }

  /** Drops every row sharing a bad blob (they all have the same bytes) and deletes the file. */
  private dropBlob(sha256: string, why?: string): ChunkRow[] {
    const { dir, index, log } = this.store;
    this.sound.delete(sha256);
    const rows = runSql(dir, 'dropping a damaged chunk', () => index.deleteChunksWithSha(sha256));
    if (why !== undefined && rows.length > 0) {
      log.warn({ dir, sha256, rows: rows.length }, `chunk file was ${why}; dropped from the index`);
    }
    void this.space.afterRemoval(rows);
    return rows;
  }
}
