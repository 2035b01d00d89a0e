import { ingestVideo, type IngestOptions } from '../library/ingest.js';
import type { MediaManifest } from '../shared/manifest.js';
import type { ChunkStore } from '../store/chunk-store.js';
import type { Logger } from '../util/logger.js';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import type { SwarmLibrary } from './swarm-library.js';
import type { PublisherTrust } from '../trust/publisher-trust.js';

export type PublishOptions = Omit<IngestOptions, 'logger'>;

/**
 * Adds videos to a running node: each is ingested into its store (pinned, as a source's videos are)
 * and announced to its children at once, so every level's list-videos shows it without waiting for
 * a cache to expire. The one path for the control channel's `add` and the desktop app's "Add video".
 * Stopping the node cancels adds still running (nothing of them is kept) before the store closes.
 */
export class VideoPublisher {
  private readonly stopping = new AbortController();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly node: {
      store: ChunkStore;
      library: SwarmLibrary;
      logger: Logger;
      trust: PublisherTrust;
    },
  ) {}

  async add(file: string, options: PublishOptions = {}): Promise<MediaManifest> {
    if (this.stopping.signal.aborted) {
      throw new PeerStreamerError('UNREACHABLE', `cannot add ${file}: the node is stopping.`, { file });
    }
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.stopping.signal])
      : this.stopping.signal;
    const work = ingestVideo(this.node.store, file, { ...options, signal, logger: this.node.logger });
    this.running.add(work);
    try {
      const manifest = await work;
      // The store's key signed it (made now, on a child's first video): its own videos are trusted here.
      if (manifest.publisher !== undefined) this.node.trust.setOwn(manifest.publisher);
      this.node.logger.info(
        { video: manifest.name, chunks: manifest.chunks.length },
        'video added; announcing it',
      );
      // Not awaited: the caller has its video; a child that is slow to answer must not hold it up.
      // Each child's failure is handled inside; anything else (the store closing under it) is
      // logged here rather than left to crash the process as an unhandled rejection.
      this.node.library
        .announce()
        .catch((error: unknown) =>
          this.node.logger.warn(
            { video: manifest.name, error: errorMessage(error) },
            'could not announce the new video to the children; they see it when their cache expires',
          ),
        );
      return manifest;
    } finally {
      this.running.delete(work);
    }
  }

  /** Cancels running adds and resolves once each has cleaned up after itself. */
  async close(): Promise<void> {
    this.stopping.abort(new PeerStreamerError('UNREACHABLE', 'the node is stopping'));
    await Promise.allSettled([...this.running]);
  }
}
