/**
 * Manifest digests for tests: inventory entries and queries name the content a node holds under a
 * video's name by its manifest's digest (see InventoryEntry.digest).
 */
import type { Manifest } from '../../core/shared/manifest.js';
import { syntheticVideo } from '../../core/sim/synthetic-video.js';
import { manifestDigest } from '../../core/trust/manifest-signature.js';
import { seededRandom } from '../../core/util/random.js';

/** For tests of the directory alone, where the digest need be no real manifest's. */
export const MOVIE_DIGEST = 'd'.repeat(64);
/** Other content under the same name: another publisher's video, or another version. */
export const OTHER_DIGEST = 'e'.repeat(64);

/** A manifest of "movie" (16 chunks of 1 KiB), the same in every test. */
const movie = syntheticVideo('movie', 16, 1_024, seededRandom(1)).manifest;

/**
 * Gives a memory store (which takes chunks without checking them) a manifest of "movie", so the
 * chunks then put in it are reported under that manifest's digest; returns the digest.
 */
export function holdMovie(store: { putManifest(manifest: Manifest): void }): string {
  store.putManifest(movie);
  return manifestDigest(movie);
}
