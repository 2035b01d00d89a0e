/**
 * The digests of the manifests a node stores (manifestDigest), computed once per stored manifest:
 * every inventory entry a node sends and every `query` it asks carries one, and hashing a long
 * video's manifest each time would cost as much as reading it.
 *
 * Kept by the manifest object, not by the video's name. A store hands out the same frozen object
 * until that video's manifest is replaced or dropped (ChunkStore's ManifestCache forgets it then,
 * and the in-memory stores keep what was put), so a manifest re-signed by the stored-manifest sweep
 * or replaced by another version is a new object, and its digest is computed afresh: no write path
 * has to remember to invalidate anything, and none can be missed. A WeakMap, so a digest goes with
 * the manifest the store let go of, and memory stays bounded by what the store keeps.
 */
import type { Manifest } from '../shared/manifest.js';
import { isPeerStreamerError } from '../util/errors.js';
import { manifestDigest } from './manifest-signature.js';

const digests = new WeakMap<Manifest, string>();

/** manifestDigest, computed once per manifest object. */
export function cachedManifestDigest(manifest: Manifest): string {
  let digest = digests.get(manifest);
  if (digest === undefined) digests.set(manifest, (digest = manifestDigest(manifest)));
  return digest;
}

/** Where stored manifests are read: a node's store. */
export interface ManifestSource {
  getManifest(name: string): Manifest | undefined;
}

/**
 * The digest of the manifest of `video` the store holds, or undefined when it holds none. A stored
 * manifest that no longer reads (STORE_CORRUPT, which the store logs where it lists videos) names
 * no content either: chunks held under it are reported without a digest, and never offered.
 */
export function storedManifestDigest(store: ManifestSource, video: string): string | undefined {
  let manifest: Manifest | undefined;
  try {
    manifest = store.getManifest(video);
  } catch (error) {
    if (isPeerStreamerError(error, 'STORE_CORRUPT')) return undefined;
    throw error;
  }
  return manifest === undefined ? undefined : cachedManifestDigest(manifest);
}
