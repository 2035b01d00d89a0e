/**
 * Owns the node inside the app: starts it from the settings, applies changed settings to it (live
 * where the node allows, by restart otherwise) and keeps a gateway in front of whatever is running.
 *
 * The node runs in the main process, not a utility process: its work is sockets (ZeroMQ's own I/O
 * threads), hashing (the libuv thread pool) and short SQLite statements, so the main loop mostly
 * waits; chunks reach the player through protocol.handle in this same process without a copy
 * across processes. Measured on a 2-core machine (60 s 720p clip, 30 chunks of ~1.5 MB fetched from
 * a source in another process through the gateway): event-loop delay p99 1 ms idle, 4 ms at 20x
 * playback speed, ~50 ms only in a flat-out 110 MB/s burst. LoopMonitor logs the delay in the
 * running app so a regression shows in the logs.
 */
import { createGateway, type Gateway } from '../core/gateway/gateway.js';
import { NodeBackend } from '../core/node/node-backend.js';
import { PeerNode, type PeerNodeOptions } from '../core/node/peer-node.js';
import { RESTART_KEYS, type AppSettings } from '../core/settings/settings-model.js';
import { nodeConfigFromSettings } from '../core/settings/node-config-from-settings.js';
import { errorMessage } from '../core/util/errors.js';
import type { Logger } from '../core/util/logger.js';
import { APP_HOST } from './app-identity.js';
import { OfflineBackend } from './offline-backend.js';

export interface NodeHostOptions {
  storeDir: string;
  token: string;
  /** The built renderer, served from the same gateway. */
  staticDir: string;
  logger: Logger;
  peerNodeOptions?: PeerNodeOptions;
}

export type ApplyOutcome = 'live' | 'restarted';

/** How long start() waits for the master's first answer to registration. */
const REFUSAL_WAIT_MS = 1_000;

export class NodeHost {
  private running: PeerNode | null = null;
  private backend: NodeBackend | null = null;
  private front: Gateway;
  private failure: string | null = null;

  constructor(private readonly options: NodeHostOptions) {
    this.front = this.gatewayOver(new OfflineBackend('it is starting.'));
  }

  get node(): PeerNode | null {
    return this.running;
  }

  /** Why the node is not running, in words; null when it runs. */
  get problem(): string | null {
    return this.failure;
  }

  gateway(): Gateway {
    return this.front;
  }

  /** Starts the node; a failure is kept (and served as the API's answer), not thrown. */
  async start(settings: AppSettings): Promise<PeerNode | null> {
    try {
      const config = nodeConfigFromSettings(settings, this.options.storeDir);
      const node = await PeerNode.start(config, {
        logger: this.options.logger,
        ...this.options.peerNodeOptions,
      });
      if (!settings.seeding) await node.setSeeding(false);
      this.running = node;
      this.failure = null;
      this.backend = new NodeBackend(node);
      this.front = this.gatewayOver(this.backend);
      // A master that refuses the name does so on the first register: wait that long (bounded, for
      // a master that is down), so a Save that renamed the node can already say the name is taken.
      const refused = await Promise.race([
        node.link?.waitForMaster(REFUSAL_WAIT_MS).then(() => null) ?? null,
        node.fatal,
      ]);
      if (refused !== null) {
        await this.failed(node, refused.message);
        return null;
      }
      // Later (a master that restarted and meanwhile gave the name to another node).
      void node.fatal.then((error) => this.failed(node, error.message));
      return node;
    } catch (error) {
      this.failure = errorMessage(error);
      this.options.logger.error({ err: error }, 'node did not start');
      this.front = this.gatewayOver(new OfflineBackend(this.failure));
      return null;
    }
  }

  /**
   * Brings the node in line with `next`. Identity and place in the tree need a restart; the rest
   * (upload limit, cache size, seeding) is applied to the running node.
   */
  async apply(previous: AppSettings, next: AppSettings): Promise<ApplyOutcome> {
    const node = this.running;
    if (node === null || RESTART_KEYS.some((key) => previous[key] !== next[key])) {
      await this.stop();
      await this.start(next);
      return 'restarted';
    }
    if (previous.uploadLimitBytesPerSecond !== next.uploadLimitBytesPerSecond)
      node.setUploadLimit(next.uploadLimitBytesPerSecond);
    if (previous.cacheSizeBytes !== next.cacheSizeBytes) await node.store.setCapacity(next.cacheSizeBytes);
    if (previous.seeding !== next.seeding) await node.setSeeding(next.seeding);
    return 'live';
  }

  /**
   * The running node gave up for good (its master refused its name): stop it and keep the reason,
   * which the settings screen shows, so the user can pick another name there.
   */
  private async failed(node: PeerNode, reason: string): Promise<void> {
    if (this.running !== node) return;
    await this.stop();
    this.failure = reason;
    this.front = this.gatewayOver(new OfflineBackend(reason));
  }

  async stop(): Promise<void> {
    const node = this.running;
    this.running = null;
    this.backend?.close();
    this.backend = null;
    this.front = this.gatewayOver(new OfflineBackend('it is restarting.'));
    await node?.stop();
  }

  private gatewayOver(backend: NodeBackend | OfflineBackend): Gateway {
    return createGateway({
      backend,
      token: this.options.token,
      allowedHosts: [APP_HOST],
      staticDir: this.options.staticDir,
      logger: this.options.logger,
    });
  }
}
