import type { Manifest } from '../shared/manifest.js';

/** Identifies one media chunk of one video. */
export interface ChunkKey {
  video: string;
  index: number;
}

export interface StoreOptions {
  /** Capacity in bytes for chunk payloads (init segments included). Default: unlimited. */
  capacityBytes?: number;
  /** Re-hash every chunk on read, not just check its size. Default false. */
  verifyReads?: boolean;
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
  chunks: number;
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

/** What a whole-video import supplies: bytes are pulled lazily so a large video never sits in memory. */
export interface VideoImport {
  manifest: Manifest;
  /** Init segment bytes (fmp4 only). */
  init?: Uint8Array;
  /** Bytes of chunk `index`, in manifest order. */
  chunk(index: number): Uint8Array | Promise<Uint8Array>;
}
