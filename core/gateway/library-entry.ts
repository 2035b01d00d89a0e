import type { LibraryEntry } from '../shared/api-types.js';
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
      ? {
          live: {
            state: manifest.live.state,
            startedAt: manifest.live.startedAt,
            ...(viewers !== undefined && manifest.live.state === 'live' ? { viewers } : {}),
          },
        }
      : {}),
  };
}
