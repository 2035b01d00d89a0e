import type { ChunkStore } from '../store/chunk-store.js';
import type { Transport } from './transport.js';
import type { UpstreamView } from '../stream/chunk-fetcher.js';
import type { VideoInfo } from '../protocol/messages.js';
import { manifestBytes, type Manifest } from '../shared/manifest.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';

const CACHE_MS = 2_000;

/**
 * What the swarm offers, as seen from this node: its own store's videos plus whatever its master
 * lists (which in turn includes its master's, up to the source). Cached briefly, because a library
 * view polls it and every level would otherwise ask the one above on each poll.
 */
export class SwarmLibrary {
  private cached: { at: number; videos: VideoInfo[] } | null = null;
  private pending: Promise<VideoInfo[]> | null = null;

  constructor(
    private readonly store: ChunkStore,
    private readonly transport: Transport,
    private readonly upstream: UpstreamView | null,
    private readonly logger: Logger,
  ) {}

  async list(): Promise<VideoInfo[]> {
    const own = new Map(this.store.listVideos().map((video) => [video.name, videoInfo(video.manifest)]));
    for (const video of await this.fromMaster()) if (!own.has(video.name)) own.set(video.name, video);
    return [...own.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  private async fromMaster(): Promise<VideoInfo[]> {
    const master = this.upstream?.current();
    if (!master) return [];
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.videos;
    this.pending ??= this.transport
      .request(master.address, { type: 'list-videos' }, { timeoutMs: 1_500 })
      .then(({ reply }) => {
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
