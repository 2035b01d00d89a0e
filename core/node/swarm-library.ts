import type { ChunkStore } from '../store/chunk-store.js';
import type { Transport } from './transport.js';
import type { UpstreamView } from '../stream/chunk-fetcher.js';
import type { PeerRef, VideoInfo } from '../protocol/messages.js';
import { manifestBytes, type Manifest } from '../shared/manifest.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';

const CACHE_MS = 2_000;
const ANNOUNCE_TIMEOUT_MS = 1_000;

/** Who is told when this node's list changes: its name, and its children as they are now. */
export interface LibraryDownstream {
  selfName: string;
  children: () => PeerRef[];
}

/**
 * What the swarm offers, as seen from this node: its own store's videos plus whatever its master
 * lists (which in turn includes its master's, up to the source). The master's list is cached
 * briefly, because a library view polls it and every level would otherwise ask the one above on
 * each poll. A change is pushed instead of waited for: a node that adds a video announces its list
 * to its children, and a child that accepts its master's announcement replaces its cached copy and
 * announces its own list further down, so a new video reaches every level in milliseconds.
 */
export class SwarmLibrary {
  private cached: { at: number; videos: VideoInfo[] } | null = null;
  private pending: Promise<VideoInfo[]> | null = null;
  /** Bumped by each announcement, so an older pull that answers late does not overwrite it. */
  private generation = 0;

  constructor(
    private readonly store: ChunkStore,
    private readonly transport: Transport,
    private readonly upstream: UpstreamView | null,
    private readonly logger: Logger,
    private readonly downstream: LibraryDownstream,
  ) {}

  async list(): Promise<VideoInfo[]> {
    const own = new Map(this.store.listVideos().map((video) => [video.name, videoInfo(video.manifest)]));
    for (const video of await this.fromMaster()) if (!own.has(video.name)) own.set(video.name, video);
    return [...own.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * The master's announcement of its list. Accepted only from the current master (false otherwise:
   * a node that is not our master has no say in what we list), then passed on to our children.
   */
  acceptFromMaster(sender: string, videos: VideoInfo[]): boolean {
    if (this.upstream?.current()?.name !== sender) return false;
    this.generation += 1;
    this.cached = { at: Date.now(), videos };
    void this.announce();
    return true;
  }

  /** Tells every child this node's list now; resolves when each answered or timed out. */
  async announce(): Promise<void> {
    const children = this.downstream.children();
    if (children.length === 0) return;
    const videos = await this.list();
    await Promise.all(
      children.map((child) =>
        this.transport
          .request(
            child.address,
            { type: 'announce-videos', name: this.downstream.selfName, videos },
            { timeoutMs: ANNOUNCE_TIMEOUT_MS },
          )
          .catch((error: unknown) =>
            // The child's cache expires within CACHE_MS anyway; a lost announcement only delays it.
            this.logger.debug(
              { child: child.name, error: errorMessage(error) },
              'announce-videos not delivered',
            ),
          ),
      ),
    );
  }

  private async fromMaster(): Promise<VideoInfo[]> {
    const master = this.upstream?.current();
    if (!master) return [];
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.videos;
    const generation = this.generation;
    this.pending ??= this.transport
      .request(master.address, { type: 'list-videos' }, { timeoutMs: 1_500 })
      .then(({ reply }) => {
        if (generation !== this.generation) return this.cached?.videos ?? reply.videos;
        this.cached = { at: Date.now(), videos: reply.videos };
        return reply.videos;
      })
      .catch((error: unknown) => {
        this.logger.debug({ error: errorMessage(error) }, 'master did not list its videos');
        return this.cached?.videos ?? [];
      })
      .finally(() => (this.pending = null));
    return this.pending;
  }
}

export function videoInfo(manifest: Manifest): VideoInfo {
  return {
    name: manifest.name,
    kind: manifest.kind,
    duration: manifest.duration,
    width: manifest.width,
    height: manifest.height,
    chunks: manifest.chunks.length,
    mimeType: manifest.mimeType,
    bytes: manifestBytes(manifest),
    ...(manifest.kind === 'fmp4' && manifest.poster ? { poster: manifest.poster } : {}),
  };
}
