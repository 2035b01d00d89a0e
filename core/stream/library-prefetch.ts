import type { ChunkFetcher } from './chunk-fetcher.js';
import type { ChunkStore } from '../store/chunk-store.js';
import type { Logger } from '../util/logger.js';
import type { LibraryPrefetchStats } from '../shared/api-types.js';
import { errorMessage } from '../util/errors.js';
import { INIT_INDEX, chunkEntry, chunkKey, chunkKeyParts } from '../shared/segments.js';

export interface LibraryPrefetchOptions {
  /** Bytes of prefetched, not yet played chunks this node may hold at once; 0 turns it off. */
  budgetBytes: number;
  /** Fetches in flight at once. */
  concurrency: number;
  /** A video whose prefetch failed is offered again no sooner than this. */
  retryAfterMs?: number;
}

/**
 * A video as the library lists it: only fMP4 videos can start from an init segment and chunk 0, and
 * not a live stream (`live` set), which a player joins at its live edge, and whose list starts where
 * its DVR window has got to.
 */
export interface ListedVideo {
  name: string;
  kind: 'fmp4' | 'legacy';
  chunks: number;
  live?: unknown;
}

/** The beginning of every listed video: what a click needs to show its first frame. */
const PARTS = [INIT_INDEX, 0] as const;
/**
 * How soon a listed video's start is said to be needed: nobody waits on it yet, so a holder under an
 * upload limit sends it after every player's next chunks and read-ahead.
 */
const LIBRARY_PREFETCH_DUE_MS = 60_000;

/**
 * Warms the start of each video the library shows: when the library is listed, the init segment and
 * chunk 0 of every video are fetched in the background, so a click plays from local bytes instead of
 * crossing the tree. It never competes with playback: as soon as any video is played, whatever is
 * still queued is dropped (fetches already under way, at most `concurrency` small ones, finish; an
 * abort would count against the peer serving them), and nothing new starts until the library is
 * listed again. Prefetched chunks are ordinary unpinned cache entries (evictable), counted by origin
 * once, on arrival, like any fetch. The budget bounds the bytes of prefetched chunks not yet played:
 * a played or evicted chunk no longer counts against it.
 */
export class LibraryPrefetch {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  /** Prefetched chunks still unplayed, key -> bytes: what counts against the budget. */
  private readonly held = new Map<string, number>();
  /** Per video, when it was last tried: a video is warmed once; a failed one is retried later. */
  private readonly tried = new Map<string, { at: number; failed: boolean }>();
  /** Warms under way, by video, so the player's own warm-up can wait for one. */
  private readonly warming = new Map<string, Promise<void>>();
  private inFlight = 0;
  private heldBytes = 0;
  private closed = false;
  private readonly onRemoved = ({ video, index }: { video: string; index: number }): void =>
    this.forget(chunkKey(video, index));

  constructor(
    private readonly fetcher: Pick<ChunkFetcher, 'manifest' | 'fetch' | 'holdsOrFetching'>,
    private readonly store: ChunkStore,
    private readonly logger: Logger,
    private readonly options: LibraryPrefetchOptions,
  ) {
    store.on('chunk-removed', this.onRemoved);
  }

  /** The library was listed with these videos: queue the start of each, in the order shown. */
  listed(videos: readonly ListedVideo[]): void {
    if (this.closed || this.budget === 0) return;
    const now = Date.now();
    for (const video of videos) {
      if (
        video.kind !== 'fmp4' ||
        video.live !== undefined ||
        video.chunks === 0 ||
        this.queued.has(video.name)
      )
        continue;
      const tried = this.tried.get(video.name);
      if (tried !== undefined && (!tried.failed || now - tried.at < (this.options.retryAfterMs ?? 30_000)))
        continue;
      this.queued.add(video.name);
      this.queue.push(video.name);
    }
    this.pump();
  }

  /**
   * For the player warming its own cache from this node (a request marked as prefetch): true once
   * part `index` (-1 or 0) of `video` is held or on its way, waiting for its warm if one is under way
   * or queued (a queued one starts at once); false when the library prefetch will not bring it (off,
   * over budget, not listed, or a part it never fetches). The player's warm-up never makes the node
   * fetch anything the library prefetch would not.
   */
  async ready(video: string, index: number): Promise<boolean> {
    if (!(PARTS as readonly number[]).includes(index)) return false;
    if (this.fetcher.holdsOrFetching(video, index)) return true;
    if (this.closed || this.budget === 0) return false;
    if (this.queued.has(video)) {
      this.queue.splice(this.queue.indexOf(video), 1);
      this.queued.delete(video);
      this.start(video);
    }
    await this.warming.get(video)?.catch(() => undefined);
    return this.fetcher.holdsOrFetching(video, index);
  }

  /** A video is being played: its prefetched chunks are in use now, and the queue gives way. */
  playing(video: string): void {
    for (const index of PARTS) this.forget(chunkKey(video, index));
    this.queue.length = 0;
    this.queued.clear();
  }

  stats(): LibraryPrefetchStats {
    const videos = new Set([...this.held.keys()].map((key) => chunkKeyParts(key).video));
    return { videos: videos.size, bytes: this.heldBytes, inFlight: this.inFlight };
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.queued.clear();
    this.store.off('chunk-removed', this.onRemoved);
  }

  /** The budget, never more than a quarter of a capped store, so warming never crowds out playback. */
  private get budget(): number {
    const capacity = this.store.capacityBytes;
    return capacity === null ? this.options.budgetBytes : Math.min(this.options.budgetBytes, capacity / 4);
  }

  private pump(): void {
    while (!this.closed && this.inFlight < this.options.concurrency && this.queue.length > 0) {
      const video = this.queue.shift()!;
      this.queued.delete(video);
      this.start(video);
    }
  }

  private start(video: string): void {
    this.tried.set(video, { at: Date.now(), failed: false });
    this.inFlight += 1;
    const warm = this.warm(video)
      .catch((error: unknown) => {
        this.tried.set(video, { at: Date.now(), failed: true });
        this.logger.debug({ video, error: errorMessage(error) }, 'library prefetch failed');
      })
      .finally(() => {
        this.inFlight -= 1;
        this.warming.delete(video);
        this.pump();
      });
    this.warming.set(video, warm);
  }

  /**
   * Init segment and chunk 0 of one video, if they fit the budget; parts already held are skipped.
   * Nothing of a live stream, which the listing may not have said is one (a master's list says less).
   */
  private async warm(video: string): Promise<void> {
    const manifest = await this.fetcher.manifest(video);
    if (manifest.kind !== 'fmp4' || manifest.live !== undefined) return;
    const first = chunkEntry(manifest, 0);
    if (first === undefined) return;
    const missing = PARTS.filter((index) => !this.fetcher.holdsOrFetching(video, index));
    const sizes = missing.map((index) => (index === INIT_INDEX ? manifest.init.size : first.size));
    const bytes = sizes.reduce((sum, size) => sum + size, 0);
    if (missing.length === 0 || this.heldBytes + bytes > this.budget || this.closed) return;
    // Reserved before fetching, so concurrent warms cannot overshoot the budget together.
    for (const [position, index] of missing.entries()) this.hold(chunkKey(video, index), sizes[position]!);
    try {
      await Promise.all(
        missing.map((index) =>
          this.fetcher.fetch(video, index, undefined, { background: true, dueInMs: LIBRARY_PREFETCH_DUE_MS }),
        ),
      );
    } catch (error) {
      for (const index of missing) this.forget(chunkKey(video, index));
      throw error;
    }
  }

  private hold(chunk: string, bytes: number): void {
    this.held.set(chunk, bytes);
    this.heldBytes += bytes;
  }

  private forget(chunk: string): void {
    const bytes = this.held.get(chunk);
    if (bytes === undefined) return;
    this.held.delete(chunk);
    this.heldBytes -= bytes;
  }
}
