/**
 * A viewer's ChunkFetcher in virtual time, under a master that answers `query` from its real
 * MasterService and serves a whole synthetic video, with sibling peers that behave as a test says:
 * honest, corrupting, silent, or claiming chunks they do not hold.
 */
import { sha256Hex as sha256 } from '../../core/util/hash.js';
import type { MemoryHost } from '../../core/net/memory-host.js';
import { PeerHealth } from '../../core/net/peer-health.js';
import { INIT_INDEX } from '../../core/shared/segments.js';
import { MemoryChunkStore } from '../../core/store/memory-chunk-store.js';
import { ChunkFetcher } from '../../core/stream/chunk-fetcher.js';
import type { FetchCounters } from '../../core/stream/fetcher-options.js';
import { HolderCache } from '../../core/stream/holder-cache.js';
import { PeerStreamerError } from '../../core/util/errors.js';
import { silentLogger } from '../../core/util/logger.js';
import { VirtualSwarm } from '../../core/sim/virtual-swarm.js';
import { syntheticVideo, type SyntheticVideo } from '../../core/sim/synthetic-video.js';
import { enlist } from './enlist.js';
import { trustSynthetic } from './trust.js';
import { storedManifestDigest } from '../../core/trust/manifest-digests.js';
import { manifestDigest } from '../../core/trust/manifest-signature.js';

/** How a sibling answers `get`. */
export type PeerBehaviour = 'honest' | 'corrupt' | 'silent' | 'claims-without-holding';

export interface VirtualPeer {
  name: string;
  address: string;
  host: MemoryHost;
  /** `get` requests it received. */
  asked: number;
}

export class FetchScenario {
  readonly swarm: VirtualSwarm;
  readonly video: SyntheticVideo;
  readonly master: ReturnType<VirtualSwarm['node']>;
  readonly viewer: { host: MemoryHost; store: MemoryChunkStore; health: PeerHealth; fetcher: ChunkFetcher };
  readonly counters: FetchCounters & { byOrigin: Record<string, number> };
  /** Addresses the fetcher reported as a failed master. */
  readonly masterFailures: string[] = [];
  readonly peers = new Map<string, VirtualPeer>();
  /** `get` requests the master received. */
  masterAsked = 0;
  /** `get` requests the master was working on at once, at most (see `masterDelayMs`). */
  masterBusyMost = 0;
  private masterBusy = 0;

  constructor(
    seed: number,
    options: {
      chunks?: number;
      chunkBytes?: number;
      latencyMs?: number;
      /** How long the master takes to find each chunk (a disk, or its own upstream). */
      masterDelayMs?: number;
    } = {},
  ) {
    this.swarm = new VirtualSwarm(seed, { defaultLink: { latencyMs: options.latencyMs ?? 20 } });
    this.video = syntheticVideo(
      'movie',
      options.chunks ?? 8,
      options.chunkBytes ?? 64 * 1024,
      this.swarm.random,
    );
    this.master = this.swarm.node('mit');
    this.serve(this.master.host, 'honest', () => this.masterAsked++, options.masterDelayMs ?? 0);
    this.master.host.handle('get-manifest', () => ({ reply: { manifest: this.video.manifest } }));
    // As a real master keeps what it hands down: a viewer's query before its manifest has come is
    // answered for this one (MasterService).
    this.master.store.putManifest(this.video.manifest);

    const clock = this.swarm.clock;
    const host = this.swarm.network.host('tcp://10.9.0.1:7000');
    const store = new MemoryChunkStore();
    const health = new PeerHealth({ now: () => clock.now(), random: this.swarm.random });
    this.counters = {
      corruptChunks: 0,
      failovers: 0,
      byOrigin: {},
      fetched(origin, bytes) {
        this.byOrigin[origin] = (this.byOrigin[origin] ?? 0) + bytes;
      },
    };
    const masterRef = { name: 'mit', address: this.master.address, isSource: false };
    const fetcher = new ChunkFetcher({
      selfName: 'viewer',
      store,
      manifestDigestOf: (video) => storedManifestDigest(store, video),
      manifestTrust: trustSynthetic(),
      transport: host,
      upstream: {
        current: () => masterRef,
        masterFailed: (address) => void this.masterFailures.push(address),
        waitForMaster: () => Promise.resolve(masterRef),
      },
      health,
      counters: this.counters,
      logger: silentLogger(),
      holderCache: new HolderCache({ now: () => clock.now() }),
      clock,
      hash: (bytes) => Promise.resolve(sha256(bytes)),
    });
    this.viewer = { host, store, health, fetcher };
  }

  /** A sibling registered with the master as holding every chunk, answering as `behaviour` says. */
  peer(name: string, behaviour: PeerBehaviour): VirtualPeer {
    const address = `tcp://10.8.0.${this.peers.size + 1}:7000`;
    const host = this.swarm.network.host(address);
    const peer: VirtualPeer = { name, address, host, asked: 0 };
    this.serve(host, behaviour, () => peer.asked++);
    enlist(this.master.registry, {
      name,
      nodeId: `${name}-id`,
      address,
      role: 'child',
      seeding: true,
      capacity: { maxInFlight: 16, uploadBytesPerSecond: 0, storeBytes: 0 },
      chunks: [
        {
          video: 'movie',
          digest: manifestDigest(this.video.manifest),
          indexes: this.video.chunks.map((_, index) => index),
        },
      ],
    });
    this.peers.set(name, peer);
    return peer;
  }

  /** Fetches each chunk in turn, as a player reads; resolves with the bytes and each fetch's virtual ms. */
  async playAll(): Promise<{ bytes: Buffer[]; ms: number[] }> {
    const bytes: Buffer[] = [];
    const ms: number[] = [];
    for (let index = 0; index < this.video.chunks.length; index++) {
      const started = this.swarm.clock.now();
      const chunk = await this.swarm.settle(this.viewer.fetcher.fetch('movie', index), 60_000);
      ms.push(this.swarm.clock.now() - started);
      bytes.push(chunk.bytes);
    }
    return { bytes, ms };
  }

  private serve(host: MemoryHost, behaviour: PeerBehaviour, count: () => void, delayMs = 0): void {
    host.handle('get', async (request) => {
      count();
      if (delayMs > 0) {
        this.masterBusyMost = Math.max(this.masterBusyMost, ++this.masterBusy);
        await this.swarm.clock.sleep(delayMs);
        this.masterBusy -= 1;
      }
      if (behaviour === 'silent') return new Promise<never>(() => undefined);
      if (behaviour === 'claims-without-holding') {
        throw new PeerStreamerError('CHUNK_NOT_FOUND', `chunk ${request.index} of movie is not here`);
      }
      const original = request.index === INIT_INDEX ? this.video.init : this.video.chunks[request.index]!;
      const body = Buffer.from(original);
      if (behaviour === 'corrupt') body[body.length >> 1]! ^= 0xff;
      return {
        reply: { video: request.video, index: request.index, size: body.byteLength, sha256: sha256(body) },
        body,
      };
    });
  }
}
