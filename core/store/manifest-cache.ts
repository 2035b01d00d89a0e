import { LRUCache } from 'lru-cache';
import type { Manifest } from '../shared/manifest.js';

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
    const manifest = deepFreeze(JSON.parse(json) as Manifest);
    this.manifests.set(name, manifest);
    return manifest;
  }

  /** Drops a video's entry after its manifest changed or went. */
  forget(name: string): void {
    this.manifests.delete(name);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
