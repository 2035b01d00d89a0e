import type { ChunkOrigin } from '../shared/api-types.js';

/** The counters a node keeps about its own traffic; `stats` replies and the player read them. */
export class NodeCounters {
  bytesServed = 0;
  chunksServed = 0;
  readonly bytesFetched: Record<ChunkOrigin, number> = { local: 0, peer: 0, master: 0, source: 0 };
  readonly chunksFetched: Record<ChunkOrigin, number> = { local: 0, peer: 0, master: 0, source: 0 };
  /** Chunks that arrived with bytes not matching the manifest's sha256. */
  corruptChunks = 0;
  /** Poster replies refused: too big, or not the image the manifest names. */
  badPosters = 0;
  failovers = 0;
  /** Times this node drifted up to its master's master (drift-up.ts). */
  movesUp = 0;
  readonly startedAt = Date.now();

  /** Network origins once per arrival; `local` once per cache hit a consumer reads (see ChunkFetcher). */
  fetched(origin: ChunkOrigin, bytes: number): void {
    this.bytesFetched[origin] += bytes;
    this.chunksFetched[origin] += 1;
  }

  served(bytes: number): void {
    this.bytesServed += bytes;
    this.chunksServed += 1;
  }
}
