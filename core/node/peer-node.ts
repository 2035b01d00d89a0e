import { EventEmitter } from 'node:events';
import type { PeerServer } from '../net/server.js';
import type { PeerClient } from '../net/client.js';
import { ChunkStore } from '../store/chunk-store.js';
import type { ChunkFetcher } from '../stream/chunk-fetcher.js';
import { LibraryPrefetch } from '../stream/library-prefetch.js';
import type { ChildRegistry } from './child-registry.js';
import type { MasterLink } from './master-link.js';
import type { MasterService } from './master-service.js';
import { DEFAULT_MAX_CHILDREN } from './master-limits.js';
import { DEFAULT_MAX_CHILDREN_PER_ADDRESS } from './children-per-address.js';
import { NodeCounters } from './node-counters.js';
import { PeerHealth } from '../net/peer-health.js';
import { PosterService } from './poster-service.js';
import { SwarmLibrary } from './swarm-library.js';
import { VideoPublisher, type PublishOptions } from './publish-video.js';
import { LiveSessions } from './live-sessions.js';
import type { LiveRelay } from './live-relay.js';
import type { LiveViewers } from './live-viewers.js';
import { isLiveManifest } from '../trust/live-signature.js';
import type { LiveManifest } from '../shared/manifest.js';
import { serveControl } from './control-handlers.js';
import type { ControlServer } from '../control/server.js';
import type { ControlTransportOptions } from '../control/transport.js';
import type { MediaManifest } from '../shared/manifest.js';
import type { StreamSessions } from './stream-sessions.js';
import { UploadLimiter } from './upload-limiter.js';
import { NO_UPSTREAM, wireNodeRoles } from './node-roles.js';
import { buildStats, buildSubtree, type InspectionSources, type LocalNodeStats } from './inspection.js';
import { nodeIdOf } from './node-identity.js';
import { advertisedAddress, type NodeConfig } from './node-config.js';
import type { PeerRef, WireTopologyNode } from '../protocol/messages.js';
import { createLogger, type Logger } from '../util/logger.js';
import { errorMessage, type PeerStreamerError } from '../util/errors.js';
import { parseTcpAddress } from '../protocol/address.js';
import { keyFingerprint } from '../protocol/peer-key.js';
import { openNodeTransport } from './node-transport.js';
import { loadOrCreatePublisherKey } from '../trust/key-file.js';
import type { PublisherTrust } from '../trust/publisher-trust.js';
import { ensureOwnKey, openStoreTrust } from '../trust/store-trust.js';
import { sweepStoredManifests } from '../trust/stored-manifest-sweep.js';
import { PortMapping, type ExternalAddress, type PortMappingOptions } from './port-mapping.js';

/** Library prefetches in flight at once: enough to warm a library quickly, few enough to stay light. */
const LIBRARY_PREFETCH_CONCURRENCY = 2;

export interface PeerNodeOptions {
  logger?: Logger;
  /** Timings, for tests that exercise failover quickly. */
  heartbeatMs?: number;
  deadChildAfterMs?: number;
  /** Play-client streams with no request for this long are closed (default 10 s). */
  streamIdleMs?: number;
  /** The control channel's platform rules, for tests that run Windows' named-pipe branch here. */
  control?: ControlTransportOptions;
  /** With `portMapping` on: which routers to ask and the lease's timings, for tests. */
  portMapping?: Pick<PortMappingOptions, 'finders' | 'lifetimeSeconds' | 'timeoutMs' | 'retryMs'>;
}

/**
 * One PeerStreamer node: a store, one ROUTER for everything others ask of it, a DEALER pool for what
 * it asks of others, and the roles its place in the tree gives it. A node without a master is a
 * source; any node that children register with is their master.
 */
export class PeerNode {
  readonly counters = new NodeCounters();
  readonly health = new PeerHealth();
  readonly registry: ChildRegistry;
  readonly fetcher: ChunkFetcher;
  readonly link: MasterLink | null;
  readonly logger: Logger;
  readonly library: SwarmLibrary;
  readonly posters: PosterService;
  /**
   * The starts of listed videos, fetched ahead of a click. The node's, not a gateway's: its figures
   * are in the node's stats however many gateways (or none) list the library.
   */
  readonly libraryPrefetch: LibraryPrefetch;
  private readonly sessions: StreamSessions;
  private readonly masterService: MasterService;
  private readonly limiter: UploadLimiter;
  private seedingEnabled = true;
  private stopped = false;
  private settleFatal!: (error: PeerStreamerError) => void;
  /**
   * Settles if the node cannot go on as configured: its master refused its name (NAME_TAKEN). The
   * link has already stopped and logged why; whoever runs the node stops it and reports the error.
   */
  readonly fatal = new Promise<PeerStreamerError>((resolve) => (this.settleFatal = resolve));
  /** The local control channel the CLI talks to (null when it could not be opened; see serveControl). */
  private controlServer: ControlServer | null = null;
  /** The port opened on the home router (null when the node maps none). */
  private portMapping: PortMapping | null = null;
  private readonly publisher: VideoPublisher;
  /** This node's live streams (`live start`); their manifests grow in the store as chunks come. */
  readonly live: LiveSessions;
  /** Live streams' new chunks, announced down the tree (from here, or passed on from the master). */
  private readonly liveRelay: LiveRelay;
  /**
   * `stored` fires each time this node's copy of a live stream grows or changes state, whether the
   * stream is made here or announced from the master: what the player's push (api/events) follows.
   */
  readonly liveStreams = new EventEmitter<{ stored: [manifest: LiveManifest] }>();
  /** Who watches which live stream: this node's viewing, its subtree's, and the tree's total. */
  readonly liveViewers: LiveViewers;
  private manifestCheck: Promise<void> = Promise.resolve();

  /**
   * This node as others reach it. The port is final only once the ROUTER is bound (--port 0 takes
   * any free port); MasterLink reads `self.address` each time it registers, which start() begins
   * only after bind.
   */
  private readonly self: PeerRef;
  private settings: NodeConfig;

  private constructor(
    config: NodeConfig,
    /** This store's node id: what tells this node's registrations from another's under its name. */
    readonly nodeId: string,
    readonly store: ChunkStore,
    readonly server: PeerServer,
    readonly client: PeerClient,
    /** Whose videos this node believes (its own and the swarm's pinned publisher). */
    readonly trust: PublisherTrust,
    logger: Logger,
    options: PeerNodeOptions,
  ) {
    this.logger = logger;
    this.settings = config;
    this.self = { name: config.name, address: advertisedAddress(config) };
    this.limiter = new UploadLimiter(config.uploadBytesPerSecond ?? null);
    const roles = wireNodeRoles({
      self: this.self,
      nodeId,
      ...(config.master ? { master: config.master } : {}),
      ...(config.supermaster ? { supermaster: config.supermaster } : {}),
      ...(config.fallbacks ? { fallbacks: config.fallbacks.map((fallback) => fallback.dial) } : {}),
      server,
      transport: client,
      store,
      trust,
      onNewMaster: () => void this.checkStoredManifests(),
      health: this.health,
      counters: this.counters,
      limiter: this.limiter,
      logger,
      library: () => this.library,
      seeding: () => this.seedingEnabled,
      capacity: () => ({
        maxInFlight: 16,
        uploadBytesPerSecond: this.limiter.limit ?? 0,
        storeBytes: store.capacityBytes ?? 0,
      }),
      onFatal: (error) => this.settleFatal(error),
      readAhead: config.readAhead,
      ...(options.streamIdleMs !== undefined ? { streamIdleMs: options.streamIdleMs } : {}),
      ...((options.deadChildAfterMs ?? config.childTimeoutMs) !== undefined
        ? { deadChildAfterMs: options.deadChildAfterMs ?? config.childTimeoutMs }
        : {}),
      ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
      // Unbounded no more: a stranger could make a master keep any number of registrations.
      maxChildren: config.maxChildren ?? DEFAULT_MAX_CHILDREN,
      maxChildrenPerAddress: DEFAULT_MAX_CHILDREN_PER_ADDRESS,
      // Old nodes that others reach drift up toward the root, young ones stay at the edge.
      drift: {},
      ...(config.peerTimeoutMs !== undefined ? { peerTimeoutMs: config.peerTimeoutMs } : {}),
      onLiveStored: (manifest) => this.liveStreams.emit('stored', manifest),
    });
    ({
      registry: this.registry,
      link: this.link,
      fetcher: this.fetcher,
      sessions: this.sessions,
      liveRelay: this.liveRelay,
      liveViewers: this.liveViewers,
    } = roles);
    this.masterService = roles.masterService;
    this.libraryPrefetch = new LibraryPrefetch(this.fetcher, store, logger, {
      budgetBytes: config.libraryPrefetchBytes,
      concurrency: LIBRARY_PREFETCH_CONCURRENCY,
    });
    this.library = new SwarmLibrary(store, client, this.link, logger, {
      selfName: config.name,
      children: () => this.registry.children(),
    });
    this.publisher = new VideoPublisher(this);
    this.live = new LiveSessions({
      store,
      logger,
      key: () => loadOrCreatePublisherKey(config.store, logger),
    });
    // Each chunk a stream here stores, and its end, go down the tree at once.
    const published = (manifest: LiveManifest): void => {
      this.liveRelay.announce(manifest);
      this.liveStreams.emit('stored', manifest);
    };
    this.live.on('chunk', (_name, _entry, manifest) => published(manifest));
    // A stream's end too, its children's players then stop waiting for more (the node's own stop
    // ends its streams while the store and sockets are still open).
    this.live.on('end', (info) => {
      const ended = store.getManifest(info.name);
      if (ended !== undefined && isLiveManifest(ended)) published(ended);
    });
    this.posters = new PosterService({
      selfName: config.name,
      server,
      store,
      transport: client,
      manifest: (video) => this.fetcher.manifest(video),
      upstream: this.link ?? NO_UPSTREAM,
      hasUpstream: this.link !== null,
      counters: this.counters,
      health: this.health,
      logger,
    });
    server.handle('stats', () => ({ reply: { stats: { ...this.stats() } } }));
    server.handle('topology', async () => ({ reply: { tree: await this.subtree() } }));
  }

  /**
   * Opens the store (refusing one another process holds), binds the ROUTER (refusing a port in use),
   * and starts registering with the master in the background, retrying until it answers.
   */
  static async start(config: NodeConfig, options: PeerNodeOptions = {}): Promise<PeerNode> {
    const logger = options.logger ?? createLogger({ name: config.name, json: config.jsonLogs });
    const nodeId = await nodeIdOf(config.store, logger);
    const store = await ChunkStore.open(config.store, {
      ...(config.cacheBytes !== undefined ? { capacityBytes: config.cacheBytes } : {}),
    });
    let server: PeerServer | undefined;
    try {
      const trust = await openStoreTrust(config.store, {
        isSource: config.master === undefined,
        ...(config.publisher !== undefined ? { publisher: config.publisher } : {}),
        ...(config.joined ? { publisherFlag: '--join' } : {}),
        logger,
      });
      const transport = await openNodeTransport(config, logger);
      server = transport.server;
      const client = transport.client;
      // Handlers are in place before bind, so no request finds the port open but unserved.
      const node = new PeerNode(config, nodeId, store, server, client, trust, logger, options);
      node.boundTo(parseTcpAddress(await server.bind()).port);
      if (!node.link) {
        await ensureOwnKey(config.store, trust, logger);
        // A source serves its own videos: pinned, so a cache size never evicts them.
        for (const video of store.listVideos()) if (!video.pinned) store.pinVideo(video.name, true);
        // A stream a killed node left `live` is over: said so before anyone is served its manifest.
        await node.live.endAbandoned();
      }
      // Before anything is served or announced: what the store holds is checked against whom it trusts.
      await node.checkStoredManifests();
      trust.onPinned(() => void node.checkStoredManifests());
      node.link?.start();
      // In the background: a slow or absent router never delays the start.
      if (config.portMapping) node.mapPort(options);
      node.controlServer = await serveControl(node, options.control);
      logger.info(
        {
          address: node.address,
          store: config.store,
          role: node.link ? 'child' : 'source',
          nodeId: node.nodeId,
          key: server.keys.publicKey,
          fingerprint: keyFingerprint(server.keys.publicKey),
          publisher: trust.swarmPublisher(),
          master: config.master,
          supermaster: config.supermaster,
          videos: store.listVideos().length,
        },
        node.link
          ? `node ${config.name} listening; registering with ${config.master}`
          : `source ${config.name} listening`,
      );
      return node;
    } catch (error) {
      await server?.close().catch(() => undefined);
      store.close();
      throw error;
    }
  }

  /** The configuration this node runs with; `port` is the bound one (not 0). */
  get config(): NodeConfig {
    return this.settings;
  }

  /** The address other nodes use to reach this one (advertised in register). */
  get address(): string {
    return this.self.address;
  }

  private boundTo(port: number): void {
    this.settings = { ...this.settings, port };
    this.self.address = advertisedAddress(this.settings);
  }

  private mapPort(options: PeerNodeOptions): void {
    this.portMapping = new PortMapping({
      ...options.portMapping,
      port: this.settings.port,
      logger: this.logger,
      onChange: (external) => this.advertise(external),
    });
    this.portMapping.start();
  }

  /**
   * Advertises where the outside reaches this node: the router's address and port while it keeps the
   * port open, else the configured one. The master is told by registering again, and dials the new
   * address back before it lists this node (core/node/dial-back.ts), so `stats` turns reachable.
   */
  private advertise(external: ExternalAddress | null): void {
    const address =
      external === null
        ? advertisedAddress(this.settings)
        : advertisedAddress({ ip: external.host, port: external.port });
    if (address === this.self.address || this.stopped) return;
    this.self.address = address;
    this.logger.info({ address }, `advertising ${address} to the master`);
    void this.link?.registerAgain();
  }

  get seeding(): boolean {
    return this.seedingEnabled;
  }

  get control(): ControlServer | null {
    return this.controlServer;
  }

  /** Adds a video file to this node's store, pinned, and announces it to the children at once. */
  addVideo(file: string, options: PublishOptions = {}): Promise<MediaManifest> {
    return this.publisher.add(file, options);
  }

  /** Pauses or resumes serving chunks to others; the master is told so it stops listing this node. */
  async setSeeding(enabled: boolean): Promise<void> {
    this.seedingEnabled = enabled;
    await this.link?.registerAgain();
  }

  setUploadLimit(bytesPerSecond: number | null): void {
    this.limiter.setLimit(bytesPerSecond);
  }

  stats(): LocalNodeStats {
    return buildStats(this.inspectionSources());
  }

  /** This node's subtree (itself and what registered below it). */
  subtree(): Promise<WireTopologyNode> {
    return buildSubtree(this.inspectionSources(), this.client);
  }

  /** The whole tree as far as this node can reach: asked of the root when this node knows it. */
  async tree(): Promise<WireTopologyNode> {
    const root = this.link?.rootAddress();
    if (root) {
      try {
        const { reply } = await this.client.request(
          root,
          { type: 'topology' },
          {
            timeoutMs: 2_000,
          },
        );
        return reply.tree;
      } catch (error) {
        this.logger.debug(
          { root, error: errorMessage(error) },
          'root did not answer topology; showing own subtree',
        );
      }
    }
    return this.subtree();
  }

  /**
   * Checks the stored manifests against this node's trust (see sweepStoredManifests): at start, when
   * a publisher is first pinned, and after each change of master. One check at a time; never throws.
   */
  checkStoredManifests(): Promise<void> {
    this.manifestCheck = this.manifestCheck.then(async () => {
      if (this.stopped) return;
      try {
        const { signed } = await sweepStoredManifests(
          this.store,
          this.trust,
          () => loadOrCreatePublisherKey(this.config.store, this.logger),
          this.logger,
        );
        // Signed again with their chunks kept: a new digest, and no store event to report it by.
        for (const video of signed) this.link?.manifestChanged(video);
      } catch (error) {
        this.logger.error({ error: errorMessage(error) }, 'checking the stored manifests failed');
      }
    });
    return this.manifestCheck;
  }

  /** Says goodbye to the master, closes the sockets, then the store. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // First: running adds and exports are cancelled and let go of the store before it closes.
    await this.controlServer?.close();
    this.libraryPrefetch.close();
    await this.publisher.close();
    // Each stream's last chunk is stored and its manifest ended before the store closes.
    await this.live.close();
    await this.link?.stop();
    // After the goodbye, so the master does not dial a port just closed; bounded by its timeout.
    await this.portMapping?.stop();
    await this.manifestCheck;
    this.sessions.close();
    this.masterService.close();
    await this.server.close();
    await this.client.close();
    this.store.close();
    this.logger.info('node stopped');
  }

  private inspectionSources(): InspectionSources {
    return {
      name: this.config.name,
      address: this.address,
      store: this.store,
      counters: this.counters,
      health: this.health,
      registry: this.registry,
      link: this.link,
      server: this.server,
      streamsActive: () => this.sessions.active,
      libraryPrefetch: this.libraryPrefetch,
      seeding: () => this.seedingEnabled,
      master: this.masterService,
      trust: this.trust,
      ...(this.portMapping !== null ? { portMapping: () => this.portMapping?.state() } : {}),
    };
  }
}
