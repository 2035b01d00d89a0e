/**
 * A video's pieces by index: chunks are 0, 1, 2..., and the init segment (the codec setup every
 * chunk needs) is INIT_INDEX. Every module that takes an index from the wire, the store or a player
 * uses these, so the special case is written once.
 */
import type { ChunkEntry, Manifest, SegmentRef } from './manifest.js';

export const INIT_INDEX = -1;

/**
 * The entry of chunk `index`. Found by its index, not its position: a live manifest's list starts
 * wherever its DVR window has moved to (chunks[0].index may be 120), every other list at 0.
 */
export function chunkEntry(manifest: Manifest, index: number): ChunkEntry | undefined {
  const chunks: readonly ChunkEntry[] = manifest.chunks;
  const chunk = chunks[index - (chunks[0]?.index ?? 0)];
  return chunk?.index === index ? chunk : undefined;
}

/** The size and sha256 the manifest gives for piece `index`, or undefined when it has no such piece. */
export function segmentRef(manifest: Manifest, index: number): SegmentRef | undefined {
  if (index === INIT_INDEX) return manifest.init ?? undefined;
  const chunk = chunkEntry(manifest, index);
  return chunk === undefined ? undefined : { size: chunk.size, sha256: chunk.sha256 };
}

/** "the init segment" or "chunk 7", for messages. */
export function describeSegment(index: number): string {
  return index === INIT_INDEX ? 'the init segment' : `chunk ${index}`;
}

/** Why a manifest has no piece `index`, in one sentence naming the video. */
export function missingSegmentReason(manifest: Manifest, index: number): string {
  return index === INIT_INDEX
    ? `${JSON.stringify(manifest.name)} is a legacy byte-split video and has no init segment.`
    : `${JSON.stringify(manifest.name)} has chunks ${manifest.chunks[0]?.index ?? 0} to ${(manifest.chunks[0]?.index ?? 0) + manifest.chunks.length - 1}; there is no chunk ${index}.`;
}

/** One map key per piece of one video (the NUL cannot occur in a video name). */
export function chunkKey(video: string, index: number): string {
  return `${index}\u0000${video}`;
}

/** The video and index a chunkKey was made from. */
export function chunkKeyParts(key: string): { video: string; index: number } {
  const separator = key.indexOf('\u0000');
  return { video: key.slice(separator + 1), index: Number(key.slice(0, separator)) };
}
