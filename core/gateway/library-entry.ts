import type { LibraryEntry, LiveEntry } from '../shared/api-types.js';
import { manifestBytes, type Manifest } from '../shared/manifest.js';

/**
 * A library row for the player: the manifest's facts plus how much of it this node holds, and for a
 * live stream going out, how many watch it when the node knows (`viewers`).
 */
export function libraryEntry(
  manifest: Manifest,
  chunksHeld: number,
  bytesHeld: number,
  viewers?: number,
): LibraryEntry {
  return {
    name: manifest.name,
    kind: manifest.kind,
    mimeType: manifest.mimeType,
    duration: manifest.duration,
    width: manifest.width,
    height: manifest.height,
    chunks: manifest.chunks.length,
    chunksHeld,
    bytesTotal: manifestBytes(manifest),
    bytesHeld,
    posterSha256: manifest.kind === 'fmp4' ? (manifest.poster?.sha256 ?? null) : null,
    publisher: manifest.publisher ?? null,
    ...(manifest.kind === 'fmp4' && manifest.live !== undefined
      ? { live: liveEntry(manifest.live.state, viewers, manifest.live.startedAt) }
      : {}),
  };
}

/**
 * A live stream's card facts: its state, its start when known (a node that holds nothing of it has
 * only its master's word on the state), and its viewer count while it is on and the node knows it.
 */
export function liveEntry(state: LiveEntry['state'], viewers?: number, startedAt?: string): LiveEntry {
  return {
    state,
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(viewers !== undefined && state === 'live' ? { viewers } : {}),
  };
}
