import type { Manifest } from '../shared/manifest.js';
import type { Logger } from '../util/logger.js';

/**
 * The index used for a video's init segment wherever a chunk index is expected (events, heldChunks,
 * verify reports). Peers need the init segment as much as any chunk, so it travels the same ways.
 */
export { INIT_INDEX } from '../shared/segments.js';

/** Identifies one media chunk of one video; `index` is INIT_INDEX (-1) for the init segment. */
export interface ChunkKey {
  video: string;
  index: number;
}

export interface StoreOptions {
  /** Capacity in bytes for chunk payloads (init segments included). Default: unlimited. */
  capacityBytes?: number;
  /**
   * Re-hash every chunk on every read. Default false: each chunk is hashed on its first read after
   * the store opens, and trusted from then on.
   */
  verifyReads?: boolean;
  /** Where reconcile and repairs are reported. Default: silent. */
  logger?: Logger;
}

export interface ReadOptions {
  /**
   * Re-hash the bytes against the manifest before returning them, even when this run already found
   * them sound (always on with `verifyReads`).
   */
  verify?: boolean;
}

export interface CommitOptions {
  /** Pin the whole video so eviction never touches it. Default true: beginVideo is the ingest path. */
  pinned?: boolean;
}

/** What open() found and repaired on disk. */
export interface ReconcileReport {
  /** Index rows dropped because their blob file was missing or had the wrong size. */
  droppedRows: number;
  /** Blob files no row referenced, deleted. */
  orphanBlobs: number;
  /** Leftover temp files of interrupted writes, deleted. */
  tempFiles: number;
  millis: number;
}

export interface VideoSummary {
  name: string;
  manifest: Manifest;
  pinned: boolean;
  chunksHeld: number;
  bytesHeld: number;
  hasInit: boolean;
  addedAt: string;
}

export interface StoreStats {
  videos: number;
  /** Media chunks held (init segments not counted here, but in `bytes`). */
  chunks: number;
  /** Payload bytes held, init segments included; what capacity is measured against. */
  bytes: number;
  capacityBytes: number | null;
  pinnedChunks: number;
}

export interface VerifyProblem {
  video: string;
  /** -1 for the init segment. */
  index: number;
  problem: 'missing' | 'wrong-size' | 'wrong-hash';
}

export interface VerifyReport {
  checkedChunks: number;
  checkedBytes: number;
  problems: VerifyProblem[];
  /** Rows dropped because their file was bad; the chunk can be fetched again. */
  repaired: number;
}

export interface StoreEvents {
  'chunk-added': [ChunkKey];
  'chunk-removed': [ChunkKey];
}
