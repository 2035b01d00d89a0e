import type { Manifest } from '../shared/manifest.js';
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
