/**
 * An in-process swarm for stream tests: source <- level1 <- level-2 viewers, each a real PeerNode with
 * its own SQLite store in a temp dir and real ZeroMQ sockets on 127.0.0.1, viewers serving their
 * gateway over loopback HTTP. A "play" is what the player's feed asks of the gateway: the init
 * segment, then every chunk in order with three requests in flight.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ingestVideo } from '../../core/library/ingest.js';
import { nodeConfigFromFlags } from '../../core/node/node-config.js';
import { PeerNode } from '../../core/node/peer-node.js';
import { serveNodeUi, type UiServer } from '../../core/node/ui-server.js';
import type { ChunkOrigin, LibraryEntry, NodeStats } from '../../core/shared/api-types.js';
import type { MediaManifest } from '../../core/shared/manifest.js';
import { ChunkStore } from '../../core/store/chunk-store.js';
import { silentLogger } from '../../core/util/logger.js';
import { tempDir } from '../helpers/temp-dirs.js';

export interface Viewer {
  node: PeerNode;
  ui: UiServer;
  /** GET on the viewer's gateway with its token; throws on a non-2xx status. */
  get(pathname: string): Promise<Response>;
  /** GET with extra headers, whatever the status. */
  request(pathname: string, headers: Record<string, string>): Promise<Response>;
}

export class GatewaySwarm {
  readonly nodes: PeerNode[] = [];
  private readonly uis: UiServer[] = [];
  private readonly root = tempDir('stream');

  /** Ingests `videos` into the source's store before the source starts (a store has one owner). */
  async sourceWith(videos: Array<{ name: string; file: string }>): Promise<Map<string, MediaManifest>> {
    const store = await ChunkStore.open(path.join(this.root, 'source'));
    const manifests = new Map<string, MediaManifest>();
    try {
      for (const video of videos) {
        manifests.set(
          video.name,
          await ingestVideo(store, video.file, { name: video.name, chunkDuration: 1 }),
        );
      }
    } finally {
      store.close();
    }
    return manifests;
  }

  async start(name: string, master?: PeerNode, flags: Record<string, string> = {}): Promise<PeerNode> {
    const node = await PeerNode.start(
      nodeConfigFromFlags({
        name,
        // Any free port, taken at bind: a port picked first could be taken by another test before it.
        port: '0',
        ip: '127.0.0.1',
        bind: '127.0.0.1',
        store: path.join(this.root, name),
        ...(master !== undefined ? { master: master.address } : {}),
        ...flags,
      }),
      { logger: silentLogger(), heartbeatMs: 200 },
    );
    this.nodes.push(node);
    if (node.link !== null && (await node.link.waitForMaster(15_000)) === null) {
      throw new Error(`${name} did not register with ${master?.address} within 15 s`);
    }
    return node;
  }

  async viewer(name: string, master: PeerNode, flags: Record<string, string> = {}): Promise<Viewer> {
    const node = await this.start(name, master, flags);
    const ui = await serveNodeUi(node, { host: '127.0.0.1', port: 0 });
    this.uis.push(ui);
    const url = new URL(ui.url);
    const token = url.searchParams.get('token')!;
    const request = (pathname: string, headers: Record<string, string> = {}): Promise<Response> =>
      fetch(new URL(pathname, url.origin), { headers: { Authorization: `Bearer ${token}`, ...headers } });
    return {
      node,
      ui,
      request,
      async get(pathname) {
        const response = await request(pathname);
        if (!response.ok) throw new Error(`GET ${pathname}: ${response.status} ${await response.text()}`);
        return response;
      },
    };
  }

  async stop(): Promise<void> {
    for (const ui of this.uis.splice(0)) await ui.close();
    for (const node of this.nodes.splice(0).reverse()) await node.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The library as the player asks for it. */
export async function library(viewer: Viewer): Promise<LibraryEntry[]> {
  return (await (await viewer.get('/api/videos')).json()) as LibraryEntry[];
}

/**
 * Plays chunks `from`..`to` (exclusive) of `video` as the player's feed asks for them: init first,
 * then in order with three requests in flight. Returns the bytes received by the origin header.
 */
export async function play(
  viewer: Viewer,
  video: string,
  count: number,
  range: { from?: number; to?: number } = {},
): Promise<Record<ChunkOrigin, number>> {
  const received: Record<ChunkOrigin, number> = { local: 0, peer: 0, master: 0, source: 0 };
  const base = `/api/videos/${encodeURIComponent(video)}`;
  await (await viewer.get(`${base}/init`)).arrayBuffer();
  let next = range.from ?? 0;
  const end = range.to ?? count;
  const worker = async (): Promise<void> => {
    while (next < end) {
      const index = next++;
      const response = await viewer.get(`${base}/chunks/${index}`);
      const origin = response.headers.get('X-PeerStreamer-Origin') as ChunkOrigin;
      received[origin] += (await response.arrayBuffer()).byteLength;
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return received;
}

/** Bytes each origin sent this node, from the peer table: what really crossed the network. */
export function bytesDownByOrigin(stats: NodeStats, sourceAddress: string): Record<ChunkOrigin, number> {
  const down: Record<ChunkOrigin, number> = { local: 0, peer: 0, master: 0, source: 0 };
  for (const peer of stats.peers) {
    const origin: ChunkOrigin =
      peer.address === sourceAddress
        ? 'source'
        : peer.relation === 'master' || peer.relation === 'supermaster'
          ? 'master'
          : 'peer';
    down[origin] += peer.bytesDown;
  }
  return down;
}

export function videoBytes(manifest: MediaManifest): number {
  return manifest.init.size + manifest.chunks.reduce((sum, chunk) => sum + chunk.size, 0);
}
