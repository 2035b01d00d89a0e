import type { FetchedBytes } from '../api/client.ts';
import type { ChunkOrigin } from '../api/types.ts';
import type { Problem } from './problem.ts';
import type { ReadAheadPolicy } from '../../../core/shared/read-ahead-policy.js';

/** How a MediaFeed reads ahead, what it may take over from before the click, and whom it tells. */
export interface FeedOptions {
  /** Replaces numbers of the player's read-ahead policy (PLAYER_READ_AHEAD). */
  readAhead?: Partial<ReadAheadPolicy>;
  /** Requests already under way (e.g. from the click that opened the video), by URL: taken, not repeated. */
  prefetched?: Map<string, Promise<FetchedBytes>>;
  /**
   * A MediaSource already attached to the video element (warmed before the click), used as is, and
   * perhaps a SourceBuffer on it primed with another video's init segment, taken over.
   */
  attached?: {
    mediaSource: MediaSource;
    opened: Promise<void>;
    primed?: Promise<{ buffer: SourceBuffer; mimeType: string } | null> | null;
  };
  onProblem?(problem: Problem | null): void;
  onChunk?(event: { index: number; bytes: number; origin: ChunkOrigin | null; ms: number }): void;
}
