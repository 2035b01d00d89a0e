import type { MediaManifest } from '../api/types.ts';
import { LIVE_TARGET_SECONDS, liveStartIndex } from '../../../core/shared/live-edge.js';

/**
 * What the player asks of a live stream's manifest (core/shared/live-edge.ts holds the arithmetic).
 * Not to be confused with api/live.ts, the gateway's stream of stats and topology updates.
 */

/** The stream is still being cut: its manifest grows, the player follows it and plays at its edge. */
export function isOngoingLive(manifest: MediaManifest | undefined): boolean {
  return manifest?.live?.state === 'live';
}

/** Media time where a viewer joining (or going back to live) plays from: liveStartIndex's chunk. */
export function liveEdgeStart(manifest: MediaManifest): number {
  const chunks = manifest.chunks;
  return chunks[liveStartIndex(chunks)]?.start ?? 0;
}

/** Media time where the DVR window starts: the oldest chunk still listed. */
export function windowStart(manifest: MediaManifest): number {
  return manifest.chunks[0]?.start ?? 0;
}

/**
 * Behind live by at most this, a viewer is at the live edge (a red LIVE badge): the target buffer,
 * the newest chunk's age (about a chunk) and two seconds of slack for a fetch across the tree. More
 * than that, it is watching the DVR window (grey), e.g. after a pause.
 */
export const AT_LIVE_EDGE_SECONDS = LIVE_TARGET_SECONDS + 3;

/** How often the player re-reads a live stream's manifest: about once a chunk. */
export const LIVE_POLL_MS = 1000;
