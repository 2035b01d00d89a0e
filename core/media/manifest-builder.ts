/**
 * Builds a MediaManifest from cut events while they stream past, so the glue that stores bytes does
 * not have to keep them around for the manifest. Each piece is hashed here, or (`hashes: 'given'`)
 * its hash is taken at build() from whoever stored it: the store hashes every piece it writes anyway,
 * and hashing twice cost ingest about as much CPU as writing.
 */
import { MANIFEST_VERSION, type MediaManifest, type SegmentRef } from '../shared/manifest.js';
import { assertVideoName } from '../util/video-name-check.js';
import { PeerStreamerError } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';
import type { CutEvent, CutResult } from './cutter.js';
import { describeSegment } from '../shared/segments.js';

export class ManifestBuilder {
  private init: SegmentRef | null = null;
  private readonly chunks: MediaManifest['chunks'] = [];
  private result: CutResult | null = null;

  constructor(
    private readonly name: string,
    private readonly hashes: 'compute' | 'given' = 'compute',
  ) {
    assertVideoName(name);
  }

  private hashOf(bytes: Uint8Array): string {
    // Filled in by build() from the refs it is given.
    return this.hashes === 'compute' ? sha256Hex(bytes) : '';
  }

  /** Feed every event of a cut, in order; progress events are ignored. */
  add(event: CutEvent): void {
    switch (event.type) {
      case 'init':
        this.init = { size: event.bytes.length, sha256: this.hashOf(event.bytes) };
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
          sha256: this.hashOf(event.bytes),
        });
        break;
      case 'done':
        this.result = event.result;
        break;
      case 'progress':
        break;
    }
  }

  /**
   * The manifest. With `hashes: 'given'`, `written` must hold every piece's ref by index (-1 for the
   * init segment), as the store wrote it (VideoWriter.writtenRefs).
   */
  build(createdAt: Date = new Date(), written?: ReadonlyMap<number, SegmentRef>): MediaManifest {
    const { result } = this;
    let init = this.init;
    if (init === null || result === null || this.chunks.length === 0) {
      throw new PeerStreamerError(
        'INTERNAL',
        `the manifest of "${this.name}" was built before the cut finished (init, chunks and done are all needed).`,
        { name: this.name },
      );
    }
    let chunks = [...this.chunks];
    if (this.hashes === 'given') {
      init = { size: init.size, sha256: this.givenHash(written, -1, init.size) };
      chunks = chunks.map((chunk) => ({
        ...chunk,
        sha256: this.givenHash(written, chunk.index, chunk.size),
      }));
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
      chunks,
      createdAt: createdAt.toISOString(),
      ingest: { mode: result.mode, sourceCodecs: [...result.sourceCodecs] },
    };
  }

  private givenHash(
    written: ReadonlyMap<number, SegmentRef> | undefined,
    index: number,
    size: number,
  ): string {
    const ref = written?.get(index);
    if (ref === undefined || ref.size !== size) {
      const what = describeSegment(index);
      throw new PeerStreamerError(
        'INTERNAL',
        `the manifest of "${this.name}" needs the stored hash of ${what} (${size} bytes), but ${ref === undefined ? 'none was given' : `the store wrote ${ref.size} bytes`}; pass what the writer wrote.`,
        { name: this.name, index },
      );
    }
    return ref.sha256;
  }
}

/** Builds a manifest from a complete list of cut events (handy in tests and small tools). */
export function buildManifest(name: string, events: Iterable<CutEvent>, createdAt?: Date): MediaManifest {
  const builder = new ManifestBuilder(name);
  for (const event of events) builder.add(event);
  return builder.build(createdAt);
}
