import { MANIFEST_VERSION, type Manifest } from '../shared/manifest.js';
import { assertVideoName } from '../util/video-name-check.js';
import { PeerStreamerError } from '../util/errors.js';
import { SHA256_HEX } from './blob-files.js';

/**
 * The store trusts a manifest for every later integrity check, so it refuses one it cannot use:
 * chunks must be numbered 0..n-1 in order with a size and a sha256 each, and init must fit the kind.
 */
export function assertStorableManifest(manifest: Manifest): void {
  assertVideoName(manifest?.name, 'manifest name');
  const problem = manifestProblem(manifest);
  if (problem !== null) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `The manifest of ${JSON.stringify(manifest.name)} cannot be stored: ${problem}. Expected a version ${MANIFEST_VERSION} manifest as written by ingest; re-ingest the video or fetch its manifest again.`,
      { video: manifest.name, problem },
    );
  }
}

function manifestProblem(manifest: Manifest): string | null {
  if (manifest.version !== MANIFEST_VERSION) return `its version is ${String(manifest.version)}`;
  if (!Array.isArray(manifest.chunks)) return 'it has no chunk list';
  for (let n = 0; n < manifest.chunks.length; n++) {
    const chunk = manifest.chunks[n]!;
    if (chunk.index !== n) return `chunk at position ${n} has index ${String(chunk.index)}`;
    const refProblem = segmentProblem(chunk);
    if (refProblem !== null) return `chunk ${n} ${refProblem}`;
  }
  if (manifest.kind === 'fmp4') {
    if (manifest.init === null || typeof manifest.init !== 'object')
      return 'an fmp4 manifest has no init segment';
    const refProblem = segmentProblem(manifest.init);
    if (refProblem !== null) return `its init segment ${refProblem}`;
  } else if (manifest.kind === 'legacy') {
    if (manifest.init !== null) return 'a legacy manifest has an init segment';
  } else {
    return `its kind is ${JSON.stringify((manifest as { kind: unknown }).kind)}`;
  }
  return null;
}

function segmentProblem(ref: { size: unknown; sha256: unknown }): string | null {
  if (!Number.isSafeInteger(ref.size) || (ref.size as number) < 0) return 'has no valid size';
  if (typeof ref.sha256 !== 'string' || !SHA256_HEX.test(ref.sha256)) return 'has no lower-case hex sha256';
  return null;
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
