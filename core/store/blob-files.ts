import { close, open, promises as fs, read } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { sha256HexAsync } from '../util/hash.js';
import { renameReplacing } from './rename-replacing.js';
import { translateFileError } from './store-errors.js';

export const BLOBS_DIR = 'blobs';
export const TMP_DIR = 'tmp';

/** The 256 fan-out directories, so no directory holds more than a few hundred files per 100k chunks. */
export const BLOB_SUBDIRS: readonly string[] = Array.from({ length: 256 }, (_, n) =>
  n.toString(16).padStart(2, '0'),
);

export const SHA256_HEX = /^[0-9a-f]{64}$/;

const openFile = promisify(open);
const closeFile = promisify(close);
function readFile(
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  return new Promise((resolve, reject) =>
    read(fd, buffer, offset, length, position, (error, bytesRead) =>
      error ? reject(error) : resolve(bytesRead),
    ),
  );
}

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
   * Stores `bytes` crash-safely (temp file, fsync, rename) and returns their sha256, held for the
   * caller, who must release() it once an index row references it (or it is given up). The hash is
   * computed in the thread pool while the file is written, so a put costs about one write + fsync.
   *
   * With `expected` (a chunk checked against its manifest), nothing is stored or held when the bytes
   * hash differently, and an existing file of the right size is reused: identical chunks are stored
   * once. Without it (ingest, where the hash is not known yet), the file is always written and renamed
   * over any identical one.
   */
  async store(bytes: Uint8Array, expected?: string): Promise<{ sha256: string; matches: boolean }> {
    const hashing = sha256HexAsync(bytes);
    // Observed here so a failed write cannot leave the hash's rejection unhandled; awaited below.
    hashing.catch(() => undefined);
    if (expected === undefined) {
      const tempPath = await this.writeTemp(bytes);
      let sha256: string;
      try {
        sha256 = await hashing;
      } catch (error) {
        await this.discardTemp(tempPath);
        throw error;
      }
      this.hold(sha256);
      await this.publish(tempPath, sha256).catch((error: unknown) => {
        this.release(sha256);
        throw error;
      });
      return { sha256, matches: true };
    }

    this.hold(expected);
    try {
      await this.deleting.get(expected);
      const reuse = await this.hasFile(expected, bytes.length);
      const tempPath = reuse ? undefined : await this.writeTemp(bytes);
      const sha256 = await hashing.catch(async (error: unknown) => {
        if (tempPath !== undefined) await this.discardTemp(tempPath);
        throw error;
      });
      if (sha256 !== expected) {
        if (tempPath !== undefined) await this.discardTemp(tempPath);
        this.release(expected);
        return { sha256, matches: false };
      }
      if (tempPath !== undefined) await this.publish(tempPath, sha256);
      return { sha256, matches: true };
    } catch (error) {
      this.release(expected);
      throw error;
    }
  }

  private async hasFile(sha256: string, size: number): Promise<boolean> {
    const finalPath = this.pathOf(sha256);
    try {
      return (await fs.stat(finalPath)).size === size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw translateFileError(error, this.storeDir, finalPath, 'checking for an existing chunk file');
    }
  }

  /** Writes and fsyncs a temp file; on failure nothing is left behind. */
  private async writeTemp(bytes: Uint8Array): Promise<string> {
    const tempPath = path.join(this.tmpDir, `${process.pid}.${this.tempCounter++}.tmp`);
    try {
      const handle = await fs.open(tempPath, 'wx');
      try {
        let written = 0;
        while (written < bytes.length) {
          const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, written);
          written += bytesWritten;
        }
        // Data must be on disk before the rename makes the file visible under its final name. On macOS
        // libuv turns this into fcntl(F_FULLFSYNC), as plain fsync there leaves data in the drive's
        // cache; on Windows it is FlushFileBuffers.
        await handle.datasync();
      } finally {
        await handle.close();
      }
      return tempPath;
    } catch (error) {
      await this.discardTemp(tempPath);
      throw translateFileError(error, this.storeDir, tempPath, 'writing a chunk file');
    }
  }

  /** Renames a finished temp file into blobs/; the caller holds the hash. */
  private async publish(tempPath: string, sha256: string): Promise<void> {
    // A deletion of this hash decided before our hold must finish first, or it would remove our file.
    await this.deleting.get(sha256);
    try {
      await renameReplacing(tempPath, this.pathOf(sha256));
    } catch (error) {
      await this.discardTemp(tempPath);
      throw translateFileError(error, this.storeDir, tempPath, 'moving a chunk file into place');
    }
  }

  /**
   * Makes the renames of these blobs durable: one fsync per fan-out directory they went into, all at
   * once. A batch of writes (a video's ingest) calls this once before its index transaction, so the
   * file system commits its journal about once per batch rather than once per chunk, and a committed
   * video never loses a file to a power cut. Single cached chunks skip it: if a power cut loses such
   * a rename, open()'s reconcile drops the row and the chunk is fetched again.
   */
  async syncDirsOf(hashes: Iterable<string>): Promise<void> {
    const dirs = new Set<string>();
    for (const sha256 of hashes) dirs.add(path.dirname(this.pathOf(sha256)));
    await Promise.all(
      [...dirs].map(async (dir) => {
        try {
          const handle = await fs.open(dir, 'r');
          try {
            await handle.sync();
          } finally {
            await handle.close();
          }
        } catch (error) {
          throw translateFileError(error, this.storeDir, dir, 'syncing a chunk directory');
        }
      }),
    );
  }

  private async discardTemp(tempPath: string): Promise<void> {
    // The caller's error is what matters; a temp file left behind is removed by the next open.
    await fs.rm(tempPath, { force: true }).catch(() => undefined);
  }

  /**
   * Reads a blob if it exists with exactly `size` bytes; undefined when it is missing or has another
   * size, which callers treat as a damaged chunk.
   *
   * A node serving many streams reads chunks all the time, so this is three thread-pool requests on
   * a plain descriptor (open, one read, close) rather than a FileHandle: FileHandle's promise
   * plumbing and its extra read to find the end made reads the largest share of a busy node's
   * event-loop time.
   */
  async read(sha256: string, size: number): Promise<Buffer | undefined> {
    let fd: number;
    try {
      fd = await openFile(this.pathOf(sha256), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      // One byte more than expected is asked for, so a longer file shows without a separate stat.
      const buffer = Buffer.allocUnsafe(size + 1);
      let filled = 0;
      for (;;) {
        const bytesRead = await readFile(fd, buffer, filled, buffer.length - filled, filled);
        filled += bytesRead;
        if (filled === buffer.length) return undefined;
        // A regular file reads short only at its end, so the usual case is one read.
        if (bytesRead === 0 || filled === size) break;
      }
      return filled === size ? buffer.subarray(0, size) : undefined;
    } finally {
      await closeFile(fd);
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
