import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { sha256HexAsync } from '../util/hash.js';
import type { BlobClaims } from './blob-claims.js';
import type { BlobLayout } from './blob-layout.js';
import { writeAll, writeSyncedFile } from './durable-file.js';
import { renameReplacing } from './rename-replacing.js';
import { translateFileError } from './store-errors.js';

/**
 * How payload files come to exist, crash-safely. A fetched chunk appears under its name by rename of
 * a fully written and fsynced temp file; an ingested one is created there directly (see storeOwn)
 * and becomes part of a video only at the index commit after its fdatasync. Either way a file the
 * index references is complete, and a partial one (a crash mid-write) is referenced by nothing and
 * removed by reconcile on open.
 */
export class BlobWrites {
  private tempCounter = 0;

  constructor(
    private readonly layout: BlobLayout,
    private readonly claims: BlobClaims,
  ) {}

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
    this.claims.hold(sha256);
    try {
      await this.claims.exclusive(sha256, () => this.createFinal(sha256, bytes));
    } catch (error) {
      this.claims.release(sha256);
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
    this.claims.hold(expected);
    try {
      const sha256 = await this.claims.exclusive(expected, async () => {
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
      if (sha256 !== expected) this.claims.release(expected);
      return { sha256, matches: sha256 === expected };
    } catch (error) {
      this.claims.release(expected);
      throw error;
    }
  }

  /** Creates, writes and fdatasyncs the final file (see storeOwn); on failure it leaves nothing usable. */
  private async createFinal(sha256: string, bytes: Uint8Array): Promise<void> {
    const finalPath = this.layout.pathOf(sha256);
    let handle: FileHandle;
    try {
      handle = await fs.open(finalPath, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw translateFileError(error, this.layout.storeDir, finalPath, 'creating a chunk file');
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
      throw translateFileError(error, this.layout.storeDir, finalPath, 'writing a chunk file');
    }
    await handle.close().catch(async (error: unknown) => {
      await fs.rm(finalPath, { force: true }).catch(() => undefined);
      throw translateFileError(error, this.layout.storeDir, finalPath, 'writing a chunk file');
    });
  }

  private async hasFile(sha256: string, size: number): Promise<boolean> {
    const finalPath = this.layout.pathOf(sha256);
    try {
      return (await fs.stat(finalPath)).size === size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw translateFileError(error, this.layout.storeDir, finalPath, 'checking for an existing chunk file');
    }
  }

  /** Writes and fsyncs a temp file; on failure nothing is left behind. */
  private async writeTemp(bytes: Uint8Array): Promise<string> {
    const tempPath = path.join(this.layout.tmpDir, `${process.pid}.${this.tempCounter++}.tmp`);
    try {
      await writeSyncedFile(tempPath, bytes);
      return tempPath;
    } catch (error) {
      throw translateFileError(error, this.layout.storeDir, tempPath, 'writing a chunk file');
    }
  }

  /** Renames a finished temp file into blobs/; the caller holds the hash and writes it exclusively. */
  private async publish(tempPath: string, sha256: string): Promise<void> {
    try {
      await renameReplacing(tempPath, this.layout.pathOf(sha256));
    } catch (error) {
      await this.discardTemp(tempPath);
      throw translateFileError(error, this.layout.storeDir, tempPath, 'moving a chunk file into place');
    }
  }

  private async discardTemp(tempPath: string): Promise<void> {
    // The caller's error is what matters; a temp file left behind is removed by the next open.
    await fs.rm(tempPath, { force: true }).catch(() => undefined);
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
    for (const sha256 of hashes) dirs.add(path.dirname(this.layout.pathOf(sha256)));
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
          throw translateFileError(error, this.layout.storeDir, dir, 'syncing a chunk directory');
        }
      }),
    );
  }
}
