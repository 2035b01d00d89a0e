import type { Manifest } from '../shared/manifest.js';
import { endIndex, firstIndex, positionOf } from '../shared/segments.js';
import { checkManifest, describeManifestProblem } from '../shared/manifest-schema.js';
import { PeerStreamerError } from '../util/errors.js';
import { assertVideoName } from '../util/video-name-check.js';

/**
 * The store trusts a manifest for every later integrity check, so it keeps only one the manifest
 * schema accepts (core/shared/manifest-schema.ts, the same the wire and store reads use).
 */
export function assertStorableManifest(manifest: Manifest): void {
  // A bad name is refused as names are everywhere else (INVALID_NAME), before the rest is read.
  assertVideoName(manifest?.name, 'manifest name');
  const { problem } = checkManifest(manifest);
  if (problem === undefined) return;
  throw new PeerStreamerError(
    'INVALID_ARGUMENT',
    `The manifest of ${JSON.stringify(manifest.name)} cannot be stored: ${describeManifestProblem(problem)}. Re-ingest the video or fetch its manifest again.`,
    { video: manifest.name, problem: problem.path },
  );
}

/** Same payloads in the same places: what decides whether a second putManifest is a conflict. */
export function samePayloads(a: Manifest, b: Manifest): boolean {
  if (a.chunks.length !== b.chunks.length) return false;
  if ((a.init?.sha256 ?? null) !== (b.init?.sha256 ?? null) || (a.init?.size ?? 0) !== (b.init?.size ?? 0)) {
    return false;
  }
  return a.chunks.every(
    (chunk, n) => chunk.sha256 === b.chunks[n]!.sha256 && chunk.size === b.chunks[n]!.size,
  );
}

/** Signed by the same key with the same signature (or both unsigned). */
export function sameSignature(a: Manifest, b: Manifest): boolean {
  return a.publisher === b.publisher && a.signature === b.signature;
}

/**
 * When `next` is `existing` grown (or ended) as a live stream grows: the same publisher and stream
 * id, the same init segment, and every chunk both name the same bytes. Returns the indexes `existing`
 * holds that `next` no longer names (the DVR window dropped them), or null when `next` is not a
 * growth of `existing` (then it is another manifest, treated as any other).
 */
export function liveGrowth(existing: Manifest, next: Manifest): number[] | null {
  if (existing.kind !== 'fmp4' || next.kind !== 'fmp4') return null;
  if (existing.live === undefined || next.live === undefined) return null;
  if (existing.live.stream !== next.live.stream || existing.publisher !== next.publisher) return null;
  if (existing.init.sha256 !== next.init.sha256 || existing.init.size !== next.init.size) return null;
  const nextLast = endIndex(next.chunks) - 1;
  const dropped: number[] = [];
  for (const chunk of existing.chunks) {
    if (chunk.index < firstIndex(next.chunks)) {
      dropped.push(chunk.index);
      continue;
    }
    // An older list that runs past the newer one is not growth: a stream's list never shrinks at its end.
    if (chunk.index > nextLast) return null;
    const same = next.chunks[positionOf(next.chunks, chunk.index)]!;
    if (same.sha256 !== chunk.sha256 || same.size !== chunk.size) return null;
  }
  return dropped;
}
