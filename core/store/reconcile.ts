import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ChunkIndex } from './chunk-index.js';
import { BLOB_SUBDIRS, SHA256_HEX, type BlobFiles } from './blob-files.js';
import type { ReconcileReport } from './types.js';

/** How many stat calls are in flight at once: enough to keep the thread pool busy, few enough to stay light. */
const STAT_CONCURRENCY = 64;

/**
 * Makes the index and the blob files agree after any crash, by stat alone (no hashing): rows whose
 * file is missing or has the wrong size are dropped (the chunk can be fetched again), blob files no
 * row references are deleted, and temp files of interrupted writes are removed. Runs while the store
 * lock is held and before anyone else can use the store.
 */
export async function reconcile(index: ChunkIndex, blobs: BlobFiles): Promise<ReconcileReport> {
  const started = performance.now();
  const tempFiles = await removeTempFiles(blobs.tmpDir);
  const sizes = await blobSizes(blobs);

  const referenced = new Set<string>();
  const badRows: Array<[string, number]> = [];
  for (const row of index.iterateRows()) {
    if (sizes.get(row.sha256) === row.size) referenced.add(row.sha256);
    else badRows.push([row.video, row.idx]);
  }
  index.transaction(() => {
    for (const [video, idx] of badRows) index.deleteChunk(video, idx);
  });

  let orphanBlobs = 0;
  const orphans = [...sizes.keys()].filter((sha256) => !referenced.has(sha256));
  for (let start = 0; start < orphans.length; start += STAT_CONCURRENCY) {
    const batch = orphans.slice(start, start + STAT_CONCURRENCY);
    await Promise.all(batch.map((sha256) => fs.rm(blobs.pathOf(sha256), { force: true })));
    orphanBlobs += batch.length;
  }
  return { droppedRows: badRows.length, orphanBlobs, tempFiles, millis: performance.now() - started };
}

async function removeTempFiles(tmpDir: string): Promise<number> {
  const names = await fs.readdir(tmpDir);
  await Promise.all(names.map((name) => fs.rm(path.join(tmpDir, name), { recursive: true, force: true })));
  return names.length;
}

/** sha256 -> size of every blob file in its proper place; files the store did not name are not touched. */
async function blobSizes(blobs: BlobFiles): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const sub of BLOB_SUBDIRS) {
    const dir = path.join(blobs.blobsDir, sub);
    const entries = await fs.readdir(dir, { withFileTypes: true });
    const files: string[] = [];
    for (const entry of entries) {
      if (entry.isFile() && SHA256_HEX.test(entry.name) && entry.name.startsWith(sub)) files.push(entry.name);
      // Anything else in blobs/ was not put there by the store; leave it for a person to look at.
    }
    for (let start = 0; start < files.length; start += STAT_CONCURRENCY) {
      const batch = files.slice(start, start + STAT_CONCURRENCY);
      const stats = await Promise.all(batch.map((name) => fs.stat(path.join(dir, name))));
      batch.forEach((name, n) => sizes.set(name, stats[n]!.size));
    }
  }
  return sizes;
}
