import { promises as fs, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ChunkIndex, ChunkRow } from './chunk-index.js';
import { BLOB_SUBDIRS, SHA256_HEX, type BlobLayout } from './blob-layout.js';
import type { ReconcileReport } from './types.js';

/**
 * Makes the index and the blob files agree after any crash, by stat alone (no hashing): rows whose
 * file is missing or has the wrong size are dropped (the chunk can be fetched again), blob files no
 * row references are deleted, and temp files of interrupted writes are removed. Runs while the store
 * lock is held and before anyone else can use the store.
 */
export async function reconcile(index: ChunkIndex, blobs: BlobLayout): Promise<ReconcileReport> {
  const started = performance.now();
  const tempFiles = await removeTempFiles(blobs.tmpDir);
  let droppedRows = 0;
  let orphanBlobs = 0;
  // One fan-out directory at a time, against the rows whose hash has that prefix: memory stays at a
  // few hundred entries however large the store is, and the event loop gets a turn between directories.
  for (const sub of BLOB_SUBDIRS) {
    const sizes = blobSizes(path.join(blobs.blobsDir, sub), sub);
    const badRows: ChunkRow[] = [];
    for (const row of index.rowsWithShaPrefix(sub)) {
      const found = sizes.get(row.sha256);
      // A referenced blob's size is stored as -(size + 1), so one map also records what is referenced.
      if (found === row.size) sizes.set(row.sha256, -(row.size + 1));
      else if (found !== -(row.size + 1)) badRows.push(row);
    }
    if (badRows.length > 0) {
      index.transaction(() => {
        for (const row of badRows) index.deleteChunk(row.video, row.idx);
      });
    }
    const orphans = [...sizes].filter(([, size]) => size >= 0).map(([sha256]) => blobs.pathOf(sha256));
    await Promise.all(orphans.map((file) => fs.rm(file, { force: true })));
    droppedRows += badRows.length;
    orphanBlobs += orphans.length;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { droppedRows, orphanBlobs, tempFiles, millis: performance.now() - started };
}

async function removeTempFiles(tmpDir: string): Promise<number> {
  const names = await fs.readdir(tmpDir);
  await Promise.all(names.map((name) => fs.rm(path.join(tmpDir, name), { recursive: true, force: true })));
  return names.length;
}

/**
 * sha256 -> size of the blob files in one fan-out directory; files the store did not name are left
 * for a person to look at. Synchronous on purpose: an async stat costs a thread-pool round trip per
 * file, which made 100k files take seconds; one directory holds a few hundred files, ~1 ms of work.
 */
function blobSizes(dir: string, prefix: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !SHA256_HEX.test(entry.name) || !entry.name.startsWith(prefix)) continue;
    sizes.set(entry.name, statSync(path.join(dir, entry.name)).size);
  }
  return sizes;
}
