import { promises as fs } from 'node:fs';
import path from 'node:path';
import { translateFileError } from './store-errors.js';

export const BLOBS_DIR = 'blobs';
export const TMP_DIR = 'tmp';

/** The 256 fan-out directories, so no directory holds more than a few hundred files per 100k chunks. */
export const BLOB_SUBDIRS: readonly string[] = Array.from({ length: 256 }, (_, n) =>
  n.toString(16).padStart(2, '0'),
);

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Content-addressed payload files: `blobs/<first 2 hex>/<sha256>`. A file only ever appears there by
 * rename of a fully written and fsynced temp file, so a blob file is either absent or complete.
 *
 * Deleting is the delicate part: a file is removed only when no index row references it (asked via
 * `isReferenced`) and no write in flight holds it. Writes register their hash synchronously before
 * their first await, and wait for any deletion of that hash already under way, so a delete can never
 * remove a file that a concurrent write just decided to reuse.
 */
export class BlobFiles {
  readonly blobsDir: string;
  readonly tmpDir: string;
  private readonly held = new Map<string, number>();
  private readonly deleting = new Map<string, Promise<void>>();
  private tempCounter = 0;

  constructor(
    readonly storeDir: string,
    private readonly isReferenced: (sha256: string) => boolean,
  ) {
    this.blobsDir = path.join(storeDir, BLOBS_DIR);
    this.tmpDir = path.join(storeDir, TMP_DIR);
  }

  pathOf(sha256: string): string {
    return path.join(this.blobsDir, sha256.slice(0, 2), sha256);
  }

  async createDirs(): Promise<void> {
    try {
      await fs.mkdir(this.tmpDir, { recursive: true });
      await Promise.all(
        BLOB_SUBDIRS.map((sub) => fs.mkdir(path.join(this.blobsDir, sub), { recursive: true })),
      );
    } catch (error) {
      throw translateFileError(error, this.storeDir, this.blobsDir, 'creating the store directories');
    }
  }

  /** Marks a hash as in use by a write that has not reached the index yet. Pair with release(). */
  hold(sha256: string): void {
    this.held.set(sha256, (this.held.get(sha256) ?? 0) + 1);
  }

  release(sha256: string): void {
    const count = (this.held.get(sha256) ?? 0) - 1;
    if (count > 0) this.held.set(sha256, count);
    else this.held.delete(sha256);
  }

  /**
   * Makes sure blobs/<sha256> holds `bytes` (already hashed by the caller), crash-safely: temp file,
   * fsync, rename. An existing file of the right size is reused: identical chunks are stored once.
   * The caller must hold() the hash for the duration.
   */
  async write(sha256: string, bytes: Uint8Array): Promise<void> {
    await this.deleting.get(sha256);
    const finalPath = this.pathOf(sha256);
    try {
      const existing = await fs.stat(finalPath);
      if (existing.size === bytes.length) return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw translateFileError(error, this.storeDir, finalPath, 'checking for an existing chunk file');
      }
    }
    const tempPath = path.join(this.tmpDir, `${sha256}.${process.pid}.${this.tempCounter++}.tmp`);
    try {
      const handle = await fs.open(tempPath, 'wx');
      try {
        let written = 0;
        while (written < bytes.length) {
          const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, written);
          written += bytesWritten;
        }
        // Data must be on disk before the rename makes the file visible under its final name.
        await handle.datasync();
      } finally {
        await handle.close();
      }
      // No directory fsync: if a power cut loses the rename, open()'s reconcile drops the index row.
      await fs.rename(tempPath, finalPath);
    } catch (error) {
      await fs.rm(tempPath, { force: true }).catch(() => undefined);
      throw translateFileError(error, this.storeDir, tempPath, 'writing a chunk file');
    }
  }

  /**
   * Reads a blob if it exists with exactly `size` bytes; undefined when it is missing or has another
   * size, which callers treat as a damaged chunk.
   */
  async read(sha256: string, size: number): Promise<Buffer | undefined> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.pathOf(sha256), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const stat = await handle.stat();
      if (stat.size !== size) return undefined;
      const buffer = Buffer.allocUnsafe(size);
      let filled = 0;
      while (filled < size) {
        const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
        if (bytesRead === 0) return undefined; // Shrunk under us: as bad as a wrong size.
        filled += bytesRead;
      }
      return buffer;
    } finally {
      await handle.close();
    }
  }

  /**
   * Deletes the files of these hashes that nothing references any more. Index rows must already be
   * gone. Resolves when the deletions are done; close() may leave some behind, which the next open's
   * reconcile removes as orphans.
   */
  deleteUnreferenced(hashes: Iterable<string>): Promise<void> {
    const work: Promise<void>[] = [];
    for (const sha256 of new Set(hashes)) {
      if (this.held.has(sha256) || this.deleting.has(sha256) || this.isReferenced(sha256)) continue;
      const deletion = fs
        .rm(this.pathOf(sha256), { force: true })
        .finally(() => this.deleting.delete(sha256));
      this.deleting.set(sha256, deletion);
      work.push(deletion);
    }
    return Promise.all(work).then(() => undefined);
  }

  /** Resolves once every deletion started so far has finished. */
  async idle(): Promise<void> {
    while (this.deleting.size > 0) await Promise.allSettled([...this.deleting.values()]);
  }
}
