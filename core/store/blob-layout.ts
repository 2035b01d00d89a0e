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
 * Where a store's payload files live: `blobs/<first 2 hex>/<sha256>`, named by the hash of their
 * bytes, and `tmp/` for files written before they may take that name. Reconcile walks the same
 * layout to find orphans and leftovers.
 */
export class BlobLayout {
  readonly blobsDir: string;
  readonly tmpDir: string;

  constructor(readonly storeDir: string) {
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
}
