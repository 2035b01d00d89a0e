import { promises as fs } from 'node:fs';
import { BlobClaims } from './blob-claims.js';
import { BlobLayout } from './blob-layout.js';
import { readBlob } from './blob-read.js';
import { BlobWrites } from './blob-writes.js';

/**
 * Content-addressed payload files (`blobs/<first 2 hex>/<sha256>`, blob-layout.ts), as the store
 * uses them: written crash-safely (blob-writes.ts), read by size (blob-read.ts), and deleted only
 * when nothing needs them any more.
 *
 * Deleting is the delicate part: a file is removed only when no index row references it (asked via
 * `isReferenced`) and no write in flight holds it. Writes register their hash synchronously before
 * their first await, and wait for any deletion or other write of that hash already under way
 * (blob-claims.ts), so a delete can never remove a file that a concurrent write just decided to
 * reuse, and no write takes a file still being written for one.
 */
export class BlobFiles extends BlobLayout {
  private readonly claims = new BlobClaims();
  private readonly writes: BlobWrites;

  constructor(
    storeDir: string,
    private readonly isReferenced: (sha256: string) => boolean,
  ) {
    super(storeDir);
    this.writes = new BlobWrites(this, this.claims);
  }

  /** Lets go of a hash that store() held, once an index row references it or it is given up. */
  release(sha256: string): void {
    this.claims.release(sha256);
  }

  /** See BlobWrites.store: the sha256 comes back held for the caller, who must release() it. */
  store(bytes: Uint8Array, expected?: string): Promise<{ sha256: string; matches: boolean }> {
    return this.writes.store(bytes, expected);
  }

  /** Makes the renames of these blobs durable (see BlobWrites.syncDirsOf). */
  syncDirsOf(hashes: Iterable<string>): Promise<void> {
    return this.writes.syncDirsOf(hashes);
  }

  /** The blob's bytes if its file has exactly `size` of them; undefined when missing or damaged. */
  read(sha256: string, size: number): Promise<Buffer | undefined> {
    return readBlob(this.pathOf(sha256), size);
  }

  /**
   * Deletes the files of these hashes that nothing references any more. Index rows must already be
   * gone. Resolves when the deletions are done; close() may leave some behind, which the next open's
   * reconcile removes as orphans.
   */
  deleteUnreferenced(hashes: Iterable<string>): Promise<void> {
    const work: Promise<void>[] = [];
    for (const sha256 of new Set(hashes)) {
      if (!this.claims.mayDelete(sha256) || this.isReferenced(sha256)) continue;
      work.push(this.claims.trackDeletion(sha256, fs.rm(this.pathOf(sha256), { force: true })));
    }
    return Promise.all(work).then(() => undefined);
  }

  /** Resolves once every deletion started so far has finished. */
  idle(): Promise<void> {
    return this.claims.idle();
  }
}
