import { access } from 'node:fs/promises';
import type { BlobFiles } from './blob-files.js';
import type { ChunkIndex, ChunkRow } from './chunk-index.js';
import { sha256HexAsync } from '../util/hash.js';
import type { VerifyProblem, VerifyReport } from './types.js';

const PAGE = 128;

/**
 * Re-hashes every blob the index references, one page of distinct hashes at a time, so memory stays
 * flat however large the store is. A bad blob is bad for every row sharing it; `dropRows` removes
 * those rows (and tells listeners) and returns them for the report. `signal` is checked before each
 * blob, so a node that stops is kept waiting by one blob at most, not by the whole store.
 */
export async function verifyBlobs(
  index: ChunkIndex,
  blobs: BlobFiles,
  dropRows: (sha256: string) => ChunkRow[],
  signal?: AbortSignal,
): Promise<VerifyReport> {
  const report: VerifyReport = { checkedChunks: 0, checkedBytes: 0, problems: [], repaired: 0 };
  let after = '';
  for (;;) {
    const page = index.blobsAfter(after, PAGE);
    if (page.length === 0) break;
    for (const { sha256, size } of page) {
      signal?.throwIfAborted();
      const bytes = await blobs.read(sha256, size);
      let problem: VerifyProblem['problem'] | null = null;
      if (bytes === undefined) problem = (await blobExists(blobs, sha256)) ? 'wrong-size' : 'missing';
      else if ((await sha256HexAsync(bytes)) !== sha256) problem = 'wrong-hash';
      const rows = problem === null ? index.rowsWithSha(sha256) : dropRows(sha256);
      report.checkedChunks += rows.length;
      report.checkedBytes += bytes?.length ?? 0;
      if (problem !== null) {
        for (const row of rows) report.problems.push({ video: row.video, index: row.idx, problem });
        report.repaired += rows.length;
      }
    }
    after = page[page.length - 1]!.sha256;
  }
  return report;
}

async function blobExists(blobs: BlobFiles, sha256: string): Promise<boolean> {
  return access(blobs.pathOf(sha256)).then(
    () => true,
    () => false,
  );
}
