/**
 * A video's pieces by index: chunks are 0, 1, 2..., and the init segment (the codec setup every
 * chunk needs) is INIT_INDEX. Every module that takes an index from the wire, the store or a player
 * uses these, so the special case is written once.
 */
import type { ChunkEntry, Manifest, SegmentRef } from './manifest-schema.js';

export const INIT_INDEX = -1;

/**
 * A chunk list's indexes, in one place. A chunk's index is what `get` requests, stores and gateway
 * URLs name; its position is where it sits in `manifest.chunks`. They are the same for an on-demand
 * video (0, 1, 2...), but a live manifest's list starts wherever its DVR window has moved to
 * (chunks[0].index may be 120) and runs on contiguously from there. Readers that walk a list by
 * index take its bounds and positions from these, never from `chunks.length` or `chunks[index]`.
 */
type Indexed = ReadonlyArray<Pick<ChunkEntry, 'index'>>;

/** The index of the first chunk listed: 0, or where a live stream's window starts (0 for none). */
export function firstIndex(chunks: Indexed): number {
  return chunks[0]?.index ?? 0;
}

/** One past the index of the last chunk listed: where a reader of the list stops. */
export function endIndex(chunks: Indexed): number {
  return firstIndex(chunks) + chunks.length;
}

/** Where chunk `index` sits in the list (outside 0..length-1 when the list does not have it). */
export function positionOf(chunks: Indexed, index: number): number {
  return index - firstIndex(chunks);
}

/** The entry of chunk `index`, found by its index, not its position. */
export function chunkEntry(manifest: Manifest, index: number): ChunkEntry | undefined {
  const chunks: readonly ChunkEntry[] = manifest.chunks;
  const chunk = chunks[positionOf(chunks, index)];
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
    : `${JSON.stringify(manifest.name)} has chunks ${firstIndex(manifest.chunks)} to ${endIndex(manifest.chunks) - 1}; there is no chunk ${index}.`;
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
