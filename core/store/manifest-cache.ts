import { LRUCache } from 'lru-cache';
import type { Manifest } from '../shared/manifest.js';
import { checkManifest, describeManifestProblem } from '../shared/manifest-schema.js';
import { PeerStreamerError } from '../util/errors.js';

/** Parsed manifests kept for putChunk/getManifest; bounded so many videos cannot grow memory. */
const MANIFEST_CACHE_SIZE = 64;

/**
 * The store's parsed manifests, the least recently used dropped first, frozen so no caller can change
 * what another reads. `load` reads a video's manifest JSON from the index.
 */
export class ManifestCache {
  private readonly manifests = new LRUCache<string, Manifest>({ max: MANIFEST_CACHE_SIZE });

  constructor(private readonly load: (name: string) => string | undefined) {}

  get(name: string): Manifest | undefined {
    const cached = this.manifests.get(name);
    if (cached !== undefined) return cached;
    const json = this.load(name);
    if (json === undefined) return undefined;
    const manifest = deepFreeze(parseStoredManifest(name, json));
    this.manifests.set(name, manifest);
    return manifest;
  }

  /** Drops a video's entry after its manifest changed or went. */
  forget(name: string): void {
    this.manifests.delete(name);
  }
}

/**
 * A manifest as the index holds it, checked by the same schema as one from a peer: every later
 * integrity check trusts it, so a damaged row is refused here rather than trip whoever reads it.
 */
export function parseStoredManifest(name: string, json: string): Manifest {
  let problem: string;
  try {
    const checked = checkManifest(JSON.parse(json));
    if (checked.problem === undefined) return checked.manifest;
    problem = describeManifestProblem(checked.problem);
  } catch (error) {
    problem = `it is not JSON (${(error as Error).message})`;
  }
  throw new PeerStreamerError(
    'STORE_CORRUPT',
    `The stored manifest of ${JSON.stringify(name)} is damaged: ${problem}. Add the video again with --replace (or, on a caching node, let it be fetched again after it is replaced).`,
    { video: name, problem },
  );
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
