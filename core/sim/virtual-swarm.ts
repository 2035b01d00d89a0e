/**
 * Nodes made of the node's own roles (MasterService, ChildRegistry, MasterLink, PeerHealth,
 * ChunkFetcher, StreamSessions, UploadLimiter, ServingService), wired by PeerNode's own wiring
 * (wireNodeRoles), over
 * the in-memory network in virtual time with in-memory stores: no processes, no ports, and every run
 * the same for a seed.
 */
import { PublisherTrust } from '../trust/publisher-trust.js';
import { SYNTHETIC_PUBLISHER } from './synthetic-video.js';
import { MemoryNetwork, type HostProfile, type LinkProfile } from '../net/memory-network.js';
import type { CrashKind, MemoryHost } from '../net/memory-host.js';
import { PeerHealth } from '../net/peer-health.js';
import type { ChildRegistry } from '../node/child-registry.js';
import type { MasterLink } from '../node/master-link.js';
import type { MasterService } from '../node/master-service.js';
import { MemoryChunkStore } from '../store/memory-chunk-store.js';
import { LeanChunkStore } from './lean-chunk-store.js';
import type { SharedContent } from './shared-content.js';
import { NodeCounters } from '../node/node-counters.js';
import { wireNodeRoles } from '../node/node-roles.js';
import { UploadLimiter } from '../node/upload-limiter.js';
import { NODE_READ_AHEAD } from '../shared/read-ahead-policy.js';
import type { ChunkFetcher } from '../stream/chunk-fetcher.js';
import type { LiveRelay } from '../node/live-relay.js';
import type { LiveViewers } from '../node/live-viewers.js';
import { sha256Hex } from '../util/hash.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { seededRandom, type Random } from '../util/random.js';
import { VirtualClock } from '../util/virtual-clock.js';

/** A virtual node's store: bytes of its own, or bits over the simulator's shared copy. */
export type VirtualStore = MemoryChunkStore | LeanChunkStore;

export interface VirtualNodeOptions {
  /** The master's name (a node started earlier in this swarm); none makes a source. */
  master?: string;
  supermaster?: string;
  host?: HostProfile;
  heartbeatMs?: number;
  deadChildAfterMs?: number;
  /** The most children it takes before it sends newcomers to its children. Default: no limit. */
  maxChildren?: number;
  /** Live children one address may have at this node (see ChildrenPerAddress). */
  maxChildrenPerAddress?: number;
  /**
   * Bytes per second this node serves to others at most (its upload limit), in real bytes as the
   * hosts' uplinks count them: with a byte scale, each stand-in byte counts as that many.
   */
  uploadLimit?: number;
  /** The store to start with: a killed node's, to restart it with its cache as a process would. */
  store?: VirtualStore;
  /**
   * Drift up past a younger master (core/node/drift-up.ts), with these period and settling times
   * (defaults 60 s and 120 s). Its jitter comes from a generator of the node's own, seeded from the
   * swarm's seed and the node's serial, so turning drift on or off leaves every other draw as it was.
   * Absent: never.
   */
  drift?: { everyMs?: number; settleMs?: number };
}

export interface VirtualNode {
  name: string;
  address: string;
  host: MemoryHost;
  health: PeerHealth;
  registry: ChildRegistry;
  service: MasterService;
  link: MasterLink | null;
  store: VirtualStore;
  fetcher: ChunkFetcher;
  counters: NodeCounters;
  /** Whose videos it believes: a source its own (the synthetic publisher), others what their master vouches for. */
  trust: PublisherTrust;
  /** Who watches which live stream (its subtree's counts, and the tree's as its source said). */
  liveViewers: LiveViewers;
  /** Announces a live stream's chunks to its children (a source's), and passes its master's on. */
  liveRelay: LiveRelay;
  /**
   * Stops its roles and its host at once, as SIGKILL stops a process: `silent` (the default) as if
   * its machine went with it, `reset` as if its kernel closed its connections (CrashKind).
   */
  kill(kind?: CrashKind): void;
  /**
   * Says goodbye to its master and stops, as a node stopped with SIGTERM does (needs the clock run):
   * its connections close, so its children learn of it one link latency later.
   */
  stop(): Promise<void>;
}

/** Virtual nodes share no video list: the simulator's viewers ask for their video by name. */
const NO_LIBRARY = { list: () => Promise.resolve([]), hintFromMaster: () => true };

export class VirtualSwarm {
  readonly clock: VirtualClock;
  readonly random: Random;
  readonly network: MemoryNetwork;
  private readonly nodes = new Map<string, VirtualNode>();
  private readonly content: SharedContent | undefined;
  private readonly seed: number;

  constructor(
    seed: number,
    options: {
      defaultLink?: LinkProfile;
      logger?: Logger;
      byteScale?: number;
      /** See VirtualClock: the simulator trades sub-millisecond timing for speed. */
      quantumMs?: number;
      /**
       * Given, nodes keep what they hold as bits over this one shared copy (LeanChunkStore), not
       * bytes of their own (MemoryChunkStore): the simulator's large runs.
       */
      content?: SharedContent;
      /** See MemoryNetwork: false passes messages as objects, unchecked by the codec. Default true. */
      codec?: boolean;
    } = {},
  ) {
    this.content = options.content;
    this.seed = seed;
    this.clock = new VirtualClock(Date.UTC(2026, 0, 1), { quantumMs: options.quantumMs ?? 0 });
    this.random = seededRandom(seed);
    this.network = new MemoryNetwork({
      clock: this.clock,
      random: this.random,
      defaultLink: options.defaultLink ?? { latencyMs: 10 },
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.byteScale !== undefined ? { byteScale: options.byteScale } : {}),
      ...(options.codec !== undefined ? { codec: options.codec } : {}),
    });
  }

  /** Every node started so far, live or not, by name. */
  all(): VirtualNode[] {
    return [...this.nodes.values()];
  }

  node(name: string, options: VirtualNodeOptions = {}): VirtualNode {
    const previous = this.nodes.get(name);
    const serial = this.nodes.size + 1;
    const address =
      previous?.address ?? `tcp://10.${(serial >> 16) & 255}.${(serial >> 8) & 255}.${serial & 255}:7000`;
    const logger = silentLogger();
    const clock = this.clock;
    const host = this.network.host(address, options.host);
    const health = new PeerHealth({ now: () => clock.now(), random: this.random });
    const store: VirtualStore =
      options.store ?? (this.content ? new LeanChunkStore(this.content) : new MemoryChunkStore());
    const counters = new NodeCounters();
    // Every source publishes the synthetic videos; every other node learns that key from its master.
    const trust = new PublisherTrust({
      isSource: options.master === undefined,
      ...(options.master === undefined ? { own: SYNTHETIC_PUBLISHER.publicKey } : {}),
      logger,
    });
    const {
      registry,
      masterService: service,
      link,
      fetcher,
      sessions,
      liveViewers,
      liveRelay,
    } = wireNodeRoles({
      self: { name, address },
      nodeId: `${name}-id`,
      ...(options.master !== undefined ? { master: this.get(options.master).address } : {}),
      ...(options.supermaster !== undefined ? { supermaster: this.get(options.supermaster).address } : {}),
      server: host,
      transport: host,
      store,
      trust,
      health,
      counters,
      limiter: new UploadLimiter(
        options.uploadLimit === undefined ? null : options.uploadLimit / this.network.byteScale,
        clock,
      ),
      logger,
      library: () => NO_LIBRARY,
      seeding: () => true,
      capacity: () => ({ maxInFlight: 16, uploadBytesPerSecond: 0, storeBytes: 0 }),
      readAhead: NODE_READ_AHEAD,
      ...(options.deadChildAfterMs !== undefined ? { deadChildAfterMs: options.deadChildAfterMs } : {}),
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
      ...(options.maxChildren !== undefined ? { maxChildren: options.maxChildren } : {}),
      ...(options.maxChildrenPerAddress !== undefined
        ? { maxChildrenPerAddress: options.maxChildrenPerAddress }
        : {}),
      ...(options.drift
        ? {
            drift: {
              ...options.drift,
              random: seededRandom((Math.imul(this.seed, 0x9e3779b1) ^ serial) >>> 0),
            },
          }
        : {}),
      clock,
      // One stream per node: its read-ahead window's answers, with room to spare (the default is
      // sized for a node serving many streams, and would be half of a simulated node's memory).
      holderCacheEntries: 256,
      // Hashed in line: the thread pool's real time means nothing in virtual time.
      hash: (bytes) => Promise.resolve(sha256Hex(bytes)),
    });
    link?.start();
    const node: VirtualNode = {
      name,
      address,
      host,
      health,
      registry,
      service,
      link,
      store,
      fetcher,
      counters,
      trust,
      liveViewers,
      liveRelay,
      kill: (kind) => {
        host.crash(kind);
        service.close();
        sessions.close();
        // Its link's timers go with the process; nothing it would send gets out anyway.
        void link?.stop();
      },
      stop: async () => {
        // Not run on the clock here: a caller inside a timer (the simulator's churn) must not start a
        // second run of it. Whoever awaits this outside one runs the clock meanwhile (settle).
        await link?.stop();
        service.close();
        sessions.close();
        // A node that stops closes its sockets: whoever is connected to it (its children) hears the
        // connection close at once, as over ZeroMQ, rather than at a deadline.
        host.crash('reset');
      },
    };
    this.nodes.set(name, node);
    return node;
  }

  get(name: string): VirtualNode {
    const node = this.nodes.get(name);
    if (node === undefined) throw new Error(`no node ${name} in this virtual swarm`);
    return node;
  }

  /** Runs virtual time until `work` settles (it waits on the network); fails after `limitMs`. */
  async settle<T>(work: Promise<T>, limitMs: number): Promise<T> {
    let settled = false;
    const watched = work.finally(() => (settled = true));
    // Observed at once: a failure while the clock runs is this call's to report, not unhandled.
    watched.catch(() => undefined);
    await this.until('the work to finish', () => settled, limitMs);
    return watched;
  }

  /** Runs virtual time until `done()` holds; fails the test when `limitMs` pass first. */
  async until(what: string, done: () => boolean, limitMs: number): Promise<number> {
    const started = this.clock.now();
    if (!(await this.clock.runUntil(done, limitMs))) {
      throw new Error(`${what}: not within ${limitMs} virtual ms`);
    }
    return this.clock.now() - started;
  }
}
