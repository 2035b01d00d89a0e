import type { Manifest } from '../shared/manifest.js';
import { INIT_INDEX } from '../shared/segments.js';
import type { SyntheticVideo } from './synthetic-video.js';

/**
 * The one copy of each simulated video that every LeanChunkStore reads bytes from and shares the
 * manifest of, instead of a copy per node.
 */
export class SharedContent {
  private readonly videos = new Map<string, SyntheticVideo>();

  add(video: SyntheticVideo): void {
    this.videos.set(video.manifest.name, video);
  }

  /**
   * The shared manifest when `manifest` says the same (every chunk's size and hash), so a node keeps
   * a reference instead of its own copy; undefined for any other.
   */
  sameAsShared(manifest: Manifest): Manifest | undefined {
    const shared = this.videos.get(manifest.name)?.manifest;
    if (shared === undefined || shared.chunks.length !== manifest.chunks.length) return undefined;
    const same = shared.chunks.every(
      (chunk, position) =>
        chunk.size === manifest.chunks[position]!.size && chunk.sha256 === manifest.chunks[position]!.sha256,
    );
    return same && shared.init?.sha256 === manifest.init?.sha256 ? shared : undefined;
  }

  bytes(video: string, index: number): Buffer | undefined {
    const shared = this.videos.get(video);
    return index === INIT_INDEX ? shared?.init : shared?.chunks[index];
  }
}
