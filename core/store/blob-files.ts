import { close, open, promises as fs, read } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { sha256HexAsync } from '../util/hash.js';
import { writeAll, writeSyncedFile } from './durable-file.js';
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
 * Content-addressed payload files: `blobs/<first 2 hex>/<sha256>`. A fetched chunk appears there by
 * rename of a fully written and fsynced temp file; an ingested one is created there directly (see
 * storeOwn) and becomes part of a video only at the index commit after its fdatasync. Either way a
 * file the index references is complete, and a partial one (a crash mid-write) is referenced by
 * nothing and removed by reconcile on open.
 *
 * Deleting is the delicate part: a file is removed only when no index row references it (asked via
 * `isReferenced`) and no write in flight holds it. Writes register their hash synchronously before
 * their first await, and wait for any deletion or other write of that hash already under way, so a
 * delete can never remove a file that a concurrent write just decided to reuse, and no write takes a
 * file still being written for one.
 */
export class BlobFiles {
  readonly blobsDir: string;
  readonly tmpDir: string;
  private readonly held = new Map<string, number>();
  private readonly deleting = new Map<string, Promise<void>>();
  /** The write of each hash under way in this process; a second store of that hash waits for it. */
  private readonly writing = new Map<string, Promise<unknown>>();
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
   * Stores `bytes` crash-safely and returns their sha256, held for the caller, who must release() it
   * once an index row references it (or it is given up). Identical bytes are stored once: an existing
   * file of the right size is reused.
   *
   * With `expected` (a chunk from a peer, checked against its manifest), nothing is stored or held when
   * the bytes hash differently. Without it (ingest), the bytes' own hash names them.
   */
  store(bytes: Uint8Array, expected?: string): Promise<{ sha256: string; matches: boolean }> {
    return expected === undefined ? this.storeOwn(bytes) : this.storeChecked(bytes, expected);
  }

  /**
   * Ingest: the hash is computed first (thread pool), and the file is created under its final name
   * with O_EXCL, written and fdatasynced, with no temp file and no rename: one directory entry and
   * fewer journal updates per chunk. It stays invisible until the writer's index commit references
   * it; a crash leaves a partial file no row references, which reconcile on open removes. A partial
   * file never passes for a stored one: another store of the same hash in this process waits for
   * this write (`exclusive`), and one in a later process runs after reconcile. So EEXIST means the
   * bytes are already stored, unless the file was damaged since (another size), which is replaced.
   * Reads cannot see a half-written file either: they go through the index, and the only rows that
   * could name this hash are ones whose file had gone missing, which a read then finds short and
   * drops; since the name is the hash of these very bytes, a file of full size is right.
   */
  private async storeOwn(bytes: Uint8Array): Promise<{ sha256: string; matches: boolean }> {
    const sha256 = await sha256HexAsync(bytes);
    this.hold(sha256);
    try {
      await this.exclusive(sha256, () => this.createFinal(sha256, bytes));
    } catch (error) {
      this.release(sha256);
      throw error;
    }
    return { sha256, matches: true };
  }

  /**
   * A fetched chunk: written to a temp file while it is hashed, and renamed into place only once its
   * hash matches. Unlike ingest's bytes, these are not known to match their name until the hash is
   * done, and a full-size file under a hash name must never hold other bytes (a row whose file had
   * gone missing would serve it).
   */
  private async storeChecked(
    bytes: Uint8Array,
    expected: string,
  ): Promise<{ sha256: string; matches: boolean }> {
    const hashing = sha256HexAsync(bytes);
    // Observed here so a failed write cannot leave the hash's rejection unhandled; awaited below.
    hashing.catch(() => undefined);
    this.hold(expected);
    try {
      const sha256 = await this.exclusive(expected, async () => {
        const reuse = await this.hasFile(expected, bytes.length);
        const tempPath = reuse ? undefined : await this.writeTemp(bytes);
        const actual = await hashing.catch(async (error: unknown) => {
          if (tempPath !== undefined) await this.discardTemp(tempPath);
          throw error;
        });
        if (tempPath !== undefined) {
          if (actual === expected) await this.publish(tempPath, actual);
          else await this.discardTemp(tempPath);
        }
        return actual;
      });
      if (sha256 !== expected) this.release(expected);
      return { sha256, matches: sha256 === expected };
    } catch (error) {
      this.release(expected);
      throw error;
    }
  }

  /**
   * Runs `write` as the only write of this hash in this process, once no deletion or other write of
   * it is under way. The caller holds the hash, so no deletion can start meanwhile.
   */
  private async exclusive<T>(sha256: string, write: () => Promise<T>): Promise<T> {
    for (;;) {
      const busy = this.deleting.get(sha256) ?? this.writing.get(sha256);
      if (busy === undefined) break;
      await busy.then(
        () => undefined,
        () => undefined,
      );
    }
    const work = write();
    const entry = work.finally(() => this.writing.delete(sha256));
    entry.catch(() => undefined);
    this.writing.set(sha256, entry);
    return work;
  }

  /** Creates, writes and fdatasyncs the final file (see storeOwn); on failure it leaves nothing usable. */
  private async createFinal(sha256: string, bytes: Uint8Array): Promise<void> {
    const finalPath = this.pathOf(sha256);
    let handle: FileHandle;
    try {
      handle = await fs.open(finalPath, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw translateFileError(error, this.storeDir, finalPath, 'creating a chunk file');
      }
      if (await this.hasFile(sha256, bytes.length)) return;
      // Damaged since it was stored (another size): replaced whole, so no reader sees it half-written.
      await this.publish(await this.writeTemp(bytes), sha256);
      return;
    }
    try {
      await writeAll(handle, bytes);
      // Data must be on disk before the index commit makes the file part of a video. On macOS libuv
      // turns this into fcntl(F_FULLFSYNC); on Windows it is FlushFileBuffers.
      await handle.datasync();
    } catch (error) {
      // Emptied first, so that if the removal fails (a scanner holding it on Windows) no size check
      // can take it for the chunk; the next open's reconcile removes it.
      await handle.truncate(0).catch(() => undefined);
      await handle.close().catch(() => undefined);
      await fs.rm(finalPath, { force: true }).catch(() => undefined);
      throw translateFileError(error, this.storeDir, finalPath, 'writing a chunk file');
    }
    await handle.close().catch(async (error: unknown) => {
      await fs.rm(finalPath, { force: true }).catch(() => undefined);
      throw translateFileError(error, this.storeDir, finalPath, 'writing a chunk file');
    });
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
      await writeSyncedFile(tempPath, bytes);
      return tempPath;
    } catch (error) {
      throw translateFileError(error, this.storeDir, tempPath, 'writing a chunk file');
    }
  }

  /** Renames a finished temp file into blobs/; the caller holds the hash and writes it exclusively. */
  private async publish(tempPath: string, sha256: string): Promise<void> {
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
