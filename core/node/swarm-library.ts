import type { ChunkStore } from '../store/chunk-store.js';
import type { Transport } from '../net/transport.js';
import type { UpstreamView } from '../stream/upstream-view.js';
import type { PeerRef, VideoInfo } from '../protocol/messages.js';
import { manifestBytes, type Manifest } from '../shared/manifest.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import { MAX_VIDEOS_ANNOUNCED } from '../protocol/limits.js';

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
 * each poll. A change is pushed instead of waited for: a node that adds a video tells its children
 * (`announce-videos`), and each child takes that as a hint only. It drops its cached copy, asks its
 * master for the list (`list-videos`, to the address it registered with), and then tells its own
 * children, so a new video reaches every level in milliseconds while no list a peer sends is ever
 * believed: a peer that forges an announcement can at most make a child ask its real master again.
 */
export class SwarmLibrary {
  private cached: { at: number; videos: VideoInfo[] } | null = null;
  /** The `list-videos` in flight to the master, if any: at most one at a time. */
  private pulling: Promise<VideoInfo[]> | null = null;
  /** A hint arrived that the pull in flight (if any) may predate: one more pull is owed. */
  private hinted = false;
  /** Set while hints are being answered: a list asked for meanwhile waits for the fresh one. */
  private refreshing: Promise<void> | null = null;

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
   * The master's word that its list changed. Taken only from the current master's name (false
   * otherwise: a node that is not our master has nothing to tell us), and then only as a reason to
   * ask the master again; what the announcement carried is never used. However many hints arrive,
   * at most one pull is in flight and one more waits, and the children are told once it is done.
   */
  hintFromMaster(sender: string): boolean {
    if (this.upstream?.current()?.name !== sender) return false;
    this.hinted = true;
    // Stale from now on, but still the answer if the master cannot be reached.
    if (this.cached) this.cached.at = Number.NEGATIVE_INFINITY;
    if (this.refreshing === null) {
      const refreshing = this.pullWhileHinted().finally(() => (this.refreshing = null));
      this.refreshing = refreshing;
      refreshing
        .then(() => this.announce())
        .catch((error: unknown) =>
          this.logger.warn({ error: errorMessage(error) }, 'could not pass a library change on'),
        );
    }
    return true;
  }

  /** Tells every child this node's list changed; resolves when each answered or timed out. */
  async announce(): Promise<void> {
    const children = this.downstream.children();
    if (children.length === 0) return;
    // Newer children ignore `videos` and ask; it is sent for children from before that, which read it.
    const listed = await this.list();
    // A request must fit MAX_REQUEST_BYTES: a longer library goes without its list, and an older
    // child learns it when its cache expires instead.
    const videos = listed.length <= MAX_VIDEOS_ANNOUNCED ? listed : undefined;
    await Promise.all(
      children.map((child) =>
        this.transport
          .request(
            child.address,
            { type: 'announce-videos', name: this.downstream.selfName, ...(videos ? { videos } : {}) },
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

  /** Pulls until no hint is owed: a pull already in flight when a hint came may have left before the change. */
  private async pullWhileHinted(): Promise<void> {
    while (this.hinted) {
      const earlier = this.pulling;
      if (earlier !== null) await earlier;
      this.hinted = false;
      await this.pull();
    }
  }

  private async fromMaster(): Promise<VideoInfo[]> {
    if (this.refreshing !== null) await this.refreshing;
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.videos;
    return this.pull();
  }

  /** The master's list: the pull in flight, or a new one. */
  private pull(): Promise<VideoInfo[]> {
    if (this.pulling !== null) return this.pulling;
    const master = this.upstream?.current();
    if (!master) return Promise.resolve([]);
    const pulling = this.transport
      .request(master.address, { type: 'list-videos' }, { timeoutMs: 1_500 })
      .then(({ reply }) => {
        this.cached = { at: Date.now(), videos: reply.videos };
        return reply.videos;
      })
      .catch((error: unknown) => {
        this.logger.debug({ error: errorMessage(error) }, 'master did not list its videos');
        return this.cached?.videos ?? [];
      })
      .finally(() => (this.pulling = null));
    this.pulling = pulling;
    return pulling;
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
    ...(manifest.publisher ? { publisher: manifest.publisher } : {}),
    ...(manifest.kind === 'fmp4' && manifest.live ? { live: manifest.live.state } : {}),
  };
}
