import type { ChunkOrigin } from '../shared/api-types.js';
import type { FetchedChunk } from './chunk-fetcher.js';
import type { FetchCounters } from './fetcher-options.js';

/** Chunks remembered as "arrived, not used yet"; far more than any read-ahead or library prefetch. */
const MAX_UNUSED = 4_096;

/**
 * Bytes by origin, counted once: bytes that cross the network are counted by their real origin when
 * they arrive, whoever asked (a player, a child, read-ahead). A consumer that then reads such a chunk
 * is told that origin without counting it again; later reads, and chunks that were already held,
 * count as local.
 */
export class OriginLedger {
  /** Chunks that arrived over the network and no consumer has used yet, with their origin. */
  private readonly unused = new Map<string, ChunkOrigin>();

  constructor(private readonly counters: FetchCounters) {}

  arrived(key: string, chunk: FetchedChunk): void {
    if (chunk.origin === 'local') return;
    this.counters.fetched(chunk.origin, chunk.bytes.length);
    this.unused.set(key, chunk.origin);
    // Bounded: a chunk brought in but never used (a seek away) must not pin memory for ever. Forgetting
    // one only means its first use would later count as a local read.
    if (this.unused.size > MAX_UNUSED) this.unused.delete(this.unused.keys().next().value!);
  }

  /** A consumer got `chunk`: its first use after arriving is already counted; later ones are local. */
  used(key: string, chunk: FetchedChunk): FetchedChunk {
    const arrivedFrom = this.unused.get(key);
    if (arrivedFrom !== undefined) {
      this.unused.delete(key);
      return { bytes: chunk.bytes, origin: arrivedFrom };
    }
    if (chunk.origin === 'local') this.counters.fetched('local', chunk.bytes.length);
    return chunk;
  }

  /** An evicted chunk that comes back over the network is counted again, as it crosses again. */
  evicted(key: string): void {
    this.unused.delete(key);
  }
}
