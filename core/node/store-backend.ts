import type { ChunkStore } from '../store/chunk-store.js';
import type {
  ChunkOrigin,
  LibraryEntry,
  LinkCheck,
  LiveSessionView,
  LiveUpdate,
  NodeStats,
  StopLiveReply,
  TopologyNode,
} from '../shared/api-types.js';
import { listedPublisher } from '../link/listed-publisher.js';
import { formatVideoLink, parseVideoLink, videoLinkProblem } from '../link/video-link.js';
import { checkLink } from './video-links.js';
import type { Manifest } from '../shared/manifest.js';
import { PeerStreamerError } from '../util/errors.js';
import type { GatewayBackend, PosterImage } from '../gateway/backend.js';
import { libraryEntry } from '../gateway/library-entry.js';
import { LivePump } from '../gateway/live-pump.js';

export interface StoreBackendOptions {
  /** The node's name in stats and topology. */
  name?: string;
  /** What peers would dial; a lone node has none, so it is descriptive only. */
  address?: string;
  /** Stats are pushed once per interval while anyone listens (default 1 s); changes wait for the next one. */
  updateIntervalMs?: number;
}

/**
 * The gateway's backend for a lone source node: everything comes from its own store, so every chunk's
 * origin is `local`, there are no peers, and the topology is one node. A peer node's backend replaces
 * this one; the gateway cannot tell them apart.
 */
export class StoreBackend implements GatewayBackend {
  private readonly name: string;
  private readonly address: string;
  private readonly startedAt = Date.now();
  private readonly bytesFetched: Record<ChunkOrigin, number> = { local: 0, peer: 0, master: 0, source: 0 };
  private readonly chunksFetched: Record<ChunkOrigin, number> = { local: 0, peer: 0, master: 0, source: 0 };
  private readonly live: LivePump;
  private topologyChanged = false;
  private streamsActive = 0;
  private readonly onStoreChange = (): void => {
    this.topologyChanged = true;
  };

  constructor(
    private readonly store: ChunkStore,
    options: StoreBackendOptions = {},
  ) {
    this.name = options.name ?? 'source';
    this.address = options.address ?? 'local';
    this.live = new LivePump(
      [{ everyMs: options.updateIntervalMs ?? 1_000, updates: () => this.updates() }],
      // Reads of an open store do not fail, and updates() sends nothing once it is closed.
      () => undefined,
    );
    store.on('chunk-added', this.onStoreChange);
    store.on('chunk-removed', this.onStoreChange);
  }

  /** Detaches from the store; the store itself stays open (its owner closes it). */
  close(): void {
    this.store.off('chunk-added', this.onStoreChange);
    this.store.off('chunk-removed', this.onStoreChange);
    this.live.close();
  }

  async listVideos(): Promise<LibraryEntry[]> {
    return this.store
      .listVideos()
      .map(({ manifest, chunksHeld, bytesHeld }) => libraryEntry(manifest, chunksHeld, bytesHeld));
  }

  async getManifest(name: string): Promise<Manifest> {
    const manifest = this.store.getManifest(name);
    if (manifest === undefined) throw notFound(name);
    return manifest;
  }

  async getInit(name: string): Promise<Uint8Array> {
    await this.getManifest(name);
    const bytes = await this.store.getInit(name, { verify: true });
    if (bytes === undefined) {
      throw new PeerStreamerError(
        'CHUNK_NOT_FOUND',
        `The init segment of "${name}" is not in this node's store (or failed its checksum and was dropped); re-add the video.`,
        { name },
      );
    }
    return bytes;
  }

  async getChunk(name: string, index: number): Promise<{ bytes: Uint8Array; origin: ChunkOrigin }> {
    await this.getManifest(name);
    this.streamsActive++;
    try {
      const bytes = await this.store.getChunk(name, index, { verify: true });
      if (bytes === undefined) {
        throw new PeerStreamerError(
          'CHUNK_NOT_FOUND',
          `Chunk ${index} of "${name}" is not in this node's store (or failed its checksum and was dropped), and a lone node has no peers to ask.`,
          { name, index },
        );
      }
      this.bytesFetched.local += bytes.length;
      this.chunksFetched.local++;
      return { bytes, origin: 'local' };
    } finally {
      this.streamsActive--;
    }
  }

  /** A lone node has nobody to ask: the poster is held (and intact) or there is none. */
  async getPoster(name: string): Promise<PosterImage | null> {
    await this.getManifest(name);
    return (await this.store.posters.get(name)) ?? null;
  }

  /** A lone store's link names only itself, so it needs an address peers could dial. */
  async videoLink(name: string): Promise<string> {
    const manifest = await this.getManifest(name);
    const publisher = listedPublisher(name, [{ name, publisher: manifest.publisher ?? null }], this.address);
    const link = { publisher, video: name, peers: [this.address] };
    if (videoLinkProblem(link) !== null) {
      throw new PeerStreamerError(
        'UNREACHABLE',
        `This node has no address other nodes can dial (${JSON.stringify(this.address)}), so a link could name nowhere to start. Run the store as a node (\`peerstreamer node --store <dir> ...\`) and ask it for the link.`,
        { name, address: this.address },
      );
    }
    return formatVideoLink(link);
  }

  /** A lone store trusts no swarm: a link plays here only for a video it holds, signed by the link's key. */
  async checkLink(text: string): Promise<LinkCheck> {
    const listed = this.store
      .listVideos()
      .map(({ manifest }) => ({ name: manifest.name, publisher: manifest.publisher ?? null }));
    return checkLink(parseVideoLink(text), { trusted: null, inSwarm: false, listed });
  }

  async stats(): Promise<NodeStats> {
    const store = this.store.stats();
    return {
      name: this.name,
      role: 'source',
      address: this.address,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      seeding: false,
      bytesServed: 0,
      bytesFetched: { ...this.bytesFetched },
      chunksFetched: { ...this.chunksFetched },
      chunksHeld: store.chunks,
      bytesHeld: store.bytes,
      capacityBytes: store.capacityBytes,
      streamsActive: this.streamsActive,
      invalidMessages: 0,
      peers: [],
      currentMaster: null,
      libraryPrefetch: { videos: 0, bytes: 0, inFlight: 0 },
    };
  }

  async topology(): Promise<TopologyNode> {
    const chunks: Record<string, number[]> = {};
    for (const key of this.store.heldChunks()) {
      if (key.index < 0) continue;
      (chunks[key.video] ??= []).push(key.index);
    }
    for (const held of Object.values(chunks)) held.sort((a, b) => a - b);
    return {
      name: this.name,
      address: this.address,
      role: 'source',
      self: true,
      alive: true,
      chunks,
      children: [],
    };
  }

  /** Going live needs a node (its key, its children, a cutter that runs): a lone store has none. */
  startLive(): Promise<LiveSessionView> {
    return Promise.reject(noNodeToGoLive());
  }

  stopLive(): Promise<StopLiveReply> {
    return Promise.reject(noNodeToGoLive());
  }

  /** Nothing is published live from a lone store. */
  async liveSessions(): Promise<LiveSessionView[]> {
    return [];
  }

  subscribe(listener: (update: LiveUpdate) => void): () => void {
    return this.live.subscribe(listener);
  }

  /** Stats every tick; the topology too when the store changed since the last one. */
  private async updates(): Promise<LiveUpdate[]> {
    if (this.store.isClosed) return [];
    const withTopology = this.topologyChanged;
    this.topologyChanged = false;
    const updates: LiveUpdate[] = [{ type: 'stats', stats: await this.stats() }];
    if (withTopology) updates.push({ type: 'topology', topology: await this.topology() });
    return updates;
  }
}

function notFound(name: string): PeerStreamerError {
  return new PeerStreamerError('VIDEO_NOT_FOUND', `No video named "${name}" on this node.`, { name });
}

function noNodeToGoLive(): PeerStreamerError {
  return new PeerStreamerError(
    'UNREACHABLE',
    'This player is served from a store alone, with no node running on it: start one (`peerstreamer node --store <dir> --ui`) to go live.',
    {},
  );
}
