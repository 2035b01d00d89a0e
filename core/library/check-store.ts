import type { ChunkStore } from '../store/chunk-store.js';
import type { ChunkKey, VerifyReport } from '../store/types.js';

/** The store's verify report, plus what it can no longer hash because it is already gone. */
export interface StoreCheck extends VerifyReport {
  /**
   * Chunks of pinned videos (a source's own, which must be complete) that the store does not hold.
   * Opening a store drops rows whose file is missing or has the wrong size before anything is hashed,
   * so without this a truncated chunk file would vanish from the report and verify would say all good.
   */
  notHeld: ChunkKey[];
  /** Rows that opening the store dropped (files missing or of the wrong size). */
  droppedAtOpen: number;
}

/**
 * Re-hashes every payload (bad ones are dropped from the index, so a node fetches them again) and
 * lists what pinned videos are missing. Shared by `peerstreamer verify` on a closed store and by a
 * running node's control channel, so both report the same thing. Aborting `signal` (a node stopping)
 * ends it before the next blob.
 */
export async function checkStore(
  store: ChunkStore,
  options: { signal?: AbortSignal } = {},
): Promise<StoreCheck> {
  const report = await store.verifyAll(options);
  const reported = new Set(report.problems.map((problem) => `${problem.index}:${problem.video}`));
  const notHeld: ChunkKey[] = [];
  for (const video of store.listVideos()) {
    if (!video.pinned) continue;
    const held = new Set(store.heldChunks(video.name).map((key) => key.index));
    const expected = [
      ...(video.manifest.init !== null ? [-1] : []),
      ...video.manifest.chunks.map((chunk) => chunk.index),
    ];
    for (const index of expected) {
      if (!held.has(index) && !reported.has(`${index}:${video.name}`))
        notHeld.push({ video: video.name, index });
    }
  }
  return { ...report, notHeld, droppedAtOpen: store.reconcileReport.droppedRows };
}
