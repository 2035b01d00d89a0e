import type { GatewayBackend, PosterImage, ReadOptions } from '../gateway/backend.js';
import { libraryEntry, liveEntry } from '../gateway/library-entry.js';
import { LivePump } from '../gateway/live-pump.js';
import { checkCommandFields } from '../control/schema.js';
import type {
  LibraryEntry,
  LinkCheck,
  LiveSessionView,
  LiveUpdate,
  NodeStats,
  StopLiveReply,
  TopologyNode,
} from '../shared/api-types.js';
import type { LiveManifest, Manifest } from '../shared/manifest.js';
import { Prefetcher } from '../stream/prefetcher.js';
import { toApiTopology } from './api-topology.js';
import type { PeerNode } from './peer-node.js';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import { describeSegment } from '../shared/segments.js';
import { nodeLinkCheck, nodeVideoLink } from './video-links.js';

export interface NodeBackendOptions {
  statsIntervalMs?: number;
  topologyIntervalMs?: number;
}

/**
 * The gateway's backend for a full peer node: the library is what the swarm offers (this node's
 * store plus its master's list), chunks come through the node's fetcher (store, peers, master), and
 * stats and topology are the node's own. Listing the library starts the node's library prefetch
 * (the start of each video, so a click plays from local bytes); a request for a video's init segment
 * or chunks means it is being played, and the library prefetch gives way, unless the player says it
 * is only warming its own cache. A live stream's chunk handed to the player counts this node as one
 * of its viewers (LiveViewers), and its library card shows the tree's count.
 */
export class NodeBackend implements GatewayBackend {
  private readonly prefetcher: Prefetcher;
  private readonly live: LivePump;

  constructor(
    private readonly node: PeerNode,
    private readonly options: NodeBackendOptions = {},
  ) {
    this.prefetcher = new Prefetcher(node.fetcher, node.logger, node.config.readAhead);
    this.live = new LivePump(
      [
        {
          everyMs: options.statsIntervalMs ?? 1_000,
          updates: () => [{ type: 'stats', stats: node.stats() }],
        },
        {
          everyMs: options.topologyIntervalMs ?? 1_000,
          updates: async () => [{ type: 'topology', topology: await this.topology() }],
        },
      ],
      (error) => node.logger.debug({ error: errorMessage(error) }, 'live update failed'),
    );
    node.liveStreams.on('stored', this.onLiveStored);
  }

  /** A live stream's copy here grew: players following it hear at once (see LiveStreamUpdate). */
  private readonly onLiveStored = (manifest: LiveManifest): void => {
    this.live.push({
      type: 'live-stream',
      video: manifest.name,
      newest: manifest.chunks.at(-1)?.index ?? -1,
      state: manifest.live.state,
    });
  };

  async listVideos(): Promise<LibraryEntry[]> {
    const held = new Map(this.node.store.listVideos().map((video) => [video.name, video]));
    const entries = new Map<string, LibraryEntry>();
    for (const video of held.values()) {
      const viewers = this.node.liveViewers.total(video.name);
      entries.set(video.name, libraryEntry(video.manifest, video.chunksHeld, video.bytesHeld, viewers));
    }
    for (const info of await this.node.library.list()) {
      if (entries.has(info.name)) continue;
      entries.set(info.name, {
        name: info.name,
        kind: info.kind,
        mimeType: info.mimeType,
        duration: info.duration,
        width: info.width,
        height: info.height,
        chunks: info.chunks,
        chunksHeld: 0,
        // The master's list says how big the video is, so a node holding none of it can show that.
        bytesTotal: info.bytes ?? null,
        bytesHeld: 0,
        posterSha256: info.poster?.sha256 ?? null,
        publisher: info.publisher ?? null,
        // A stream this node holds nothing of yet is live all the same: first in the list, badged.
        ...(info.live === undefined
          ? {}
          : { live: liveEntry(info.live, this.node.liveViewers.total(info.name)) }),
      });
    }
    const library = [...entries.values()].sort((a, b) => a.name.localeCompare(b.name));
    this.node.libraryPrefetch.listed(library);
    return library;
  }

  getManifest(name: string): Promise<Manifest> {
    return this.node.fetcher.manifest(name);
  }

  async getInit(name: string, signal?: AbortSignal, options: ReadOptions = {}): Promise<Uint8Array> {
    await this.beforeRead(name, -1, options);
    return (await this.node.fetcher.fetch(name, -1, signal)).bytes;
  }

  async getChunk(name: string, index: number, signal?: AbortSignal, options: ReadOptions = {}) {
    await this.beforeRead(name, index, options);
    // Together: on a cold node the fetch asks for holders and the chunk while the manifest comes.
    const [manifest, chunk] = await Promise.all([
      this.node.fetcher.manifest(name),
      this.node.fetcher.fetch(name, index, signal),
    ]);
    // The read-ahead starts once the asked-for chunk is here, not alongside it: on a cold path every
    // hop would otherwise fetch, hash and store the next chunks at once, and the one the player waits
    // for would queue behind them; a held chunk's read would wait in the thread pool behind their
    // hashing and fsyncs. Chunk 0 sets off none at all: a player starting a video is busy decoding
    // its first frame on the same machine, and asks for the next chunks itself right after.
    if (index > 0) this.prefetcher.advance(name, index, manifest.chunks);
    // The player was handed a chunk: this node watches the stream, if it is live (LiveViewers).
    if (options.prefetch !== true) this.node.liveViewers.watched(manifest);
    return { bytes: chunk.bytes, origin: chunk.origin };
  }

  /**
   * Playback makes the library prefetch give way. The player's warm-up of its own cache is served
   * only what the library prefetch holds or brings, so a node with it off (or over budget) stays
   * cold and fetches nothing for it.
   */
  private async beforeRead(name: string, index: number, options: ReadOptions): Promise<void> {
    if (options.prefetch !== true) {
      this.node.libraryPrefetch.playing(name);
    } else if (!(await this.node.libraryPrefetch.ready(name, index))) {
      throw new PeerStreamerError(
        'CHUNK_NOT_FOUND',
        `${describeSegment(index)} of ${JSON.stringify(name)} is not prefetched on this node; a warm-up gets only what the library prefetch holds.`,
        { name, index },
      );
    }
  }

  getPoster(name: string): Promise<PosterImage | null> {
    return this.node.posters.poster(name);
  }

  videoLink(name: string): Promise<string> {
    return nodeVideoLink(this.node, name);
  }

  checkLink(text: string): Promise<LinkCheck> {
    return nodeLinkCheck(this.node, text);
  }

  async stats(): Promise<NodeStats> {
    return this.node.stats();
  }

  async topology(): Promise<TopologyNode> {
    return toApiTopology(await this.node.tree(), { name: this.node.config.name, store: this.node.store });
  }

  /**
   * The app's "Go live…": the body is checked by the control channel's own `live-start` schema, then
   * goes the way `peerstreamer live start` goes (nodeControlHandlers' liveStart): LiveSessions.start.
   */
  async startLive(fields: unknown): Promise<LiveSessionView> {
    return this.node.live.start(checkCommandFields('live-start', fields, 'go live'));
  }

  async stopLive(fields: unknown): Promise<StopLiveReply> {
    const request = checkCommandFields('live-stop', fields, 'stop the live stream');
    const { info, kept } = await this.node.live.stop(request.name, request.keep);
    return {
      session: info,
      kept: kept === null ? null : { name: kept.name, chunks: kept.chunks.length, duration: kept.duration },
    };
  }

  async liveSessions(): Promise<LiveSessionView[]> {
    return this.node.live.list();
  }

  subscribe(listener: (update: LiveUpdate) => void): () => void {
    return this.live.subscribe(listener);
  }

  close(): void {
    // The library prefetch is the node's: it stops with the node, not with one of its gateways.
    this.prefetcher.close();
    this.live.close();
    this.node.liveStreams.off('stored', this.onLiveStored);
  }
}
