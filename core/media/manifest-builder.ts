/**
 * Builds a MediaManifest from cut events while they stream past, hashing each piece once, so the glue
 * that stores bytes does not have to keep them around for the manifest.
 */
import {
  MANIFEST_VERSION,
  type ChunkEntry,
  type MediaManifest,
  type SegmentRef,
} from '../shared/manifest.js';
import { assertVideoName } from '../shared/video-name.js';
import { PeerStreamerError } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';
import type { CutEvent, CutResult } from './cutter.js';

export class ManifestBuilder {
  private init: SegmentRef | null = null;
  private readonly chunks: ChunkEntry[] = [];
  private result: CutResult | null = null;

  constructor(private readonly name: string) {
    assertVideoName(name);
  }

  /** Feed every event of a cut, in order; progress events are ignored. */
  add(event: CutEvent): void {
    switch (event.type) {
      case 'init':
        this.init = { size: event.bytes.length, sha256: sha256Hex(event.bytes) };
        break;
      case 'chunk':
        if (event.index !== this.chunks.length) {
          throw new PeerStreamerError(
            'INTERNAL',
            `chunk ${event.index} of "${this.name}" arrived after ${this.chunks.length} chunks; events must be fed in order.`,
            { name: this.name, index: event.index },
          );
        }
        this.chunks.push({
          index: event.index,
          start: event.start,
          duration: event.duration,
          size: event.bytes.length,
          sha256: sha256Hex(event.bytes),
        });
        break;
      case 'done':
        this.result = event.result;
        break;
      case 'progress':
        break;
    }
  }

  build(createdAt: Date = new Date()): MediaManifest {
    const { init, result } = this;
    if (init === null || result === null || this.chunks.length === 0) {
      throw new PeerStreamerError(
        'INTERNAL',
        `the manifest of "${this.name}" was built before the cut finished (init, chunks and done are all needed).`,
        { name: this.name },
      );
    }
    return {
      version: MANIFEST_VERSION,
      kind: 'fmp4',
      name: this.name,
      mimeType: result.mimeType,
      duration: result.duration,
      width: result.width,
      height: result.height,
      init,
      chunks: [...this.chunks],
      createdAt: createdAt.toISOString(),
      ingest: { mode: result.mode, sourceCodecs: [...result.sourceCodecs] },
    };
  }
}

/** Builds a manifest from a complete list of cut events (handy in tests and small tools). */
export function buildManifest(name: string, events: Iterable<CutEvent>, createdAt?: Date): MediaManifest {
  const builder = new ManifestBuilder(name);
  for (const event of events) builder.add(event);
  return builder.build(createdAt);
}
