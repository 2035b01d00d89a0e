import { useSyncExternalStore } from 'react';
import type { ChunkOrigin } from '../api/types.ts';
import type { Range } from '../feed/timeline.ts';

/** What the player measures, for the stats panel: one store, refreshed a few times a second. */
export interface PlaybackMetrics {
  video: string | null;
  currentChunk: number | null;
  chunks: number;
  bufferAhead: number;
  buffered: Range[];
  stalls: { count: number; totalMs: number; starved: number };
  bytesByOrigin: Record<ChunkOrigin | 'unknown', number>;
}

const empty: PlaybackMetrics = {
  video: null,
  currentChunk: null,
  chunks: 0,
  bufferAhead: 0,
  buffered: [],
  stalls: { count: 0, totalMs: 0, starved: 0 },
  bytesByOrigin: { local: 0, peer: 0, master: 0, source: 0, unknown: 0 },
};

let current: PlaybackMetrics = empty;
const listeners = new Set<() => void>();

export function publishPlayback(metrics: PlaybackMetrics | null): void {
  current = metrics ?? empty;
  for (const listener of listeners) listener();
}

export function usePlayback(): PlaybackMetrics {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
  );
}
