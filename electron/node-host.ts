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

/** How long a restart for new settings waits for the master's first answer to registration. */
const REFUSAL_WAIT_MS = 1_000;

export class NodeHost {
  private running: PeerNode | null = null;
  private backend: NodeBackend | null = null;
  private front: Gateway;
  private failure: string | null = null;
  /** Counts start attempts, so a stop that finishes late can tell that a newer start happened. */
  private launches = 0;
  private stopping: Promise<void> = Promise.resolve();

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
    return (await this.launch(settings))?.node ?? null;
  }

  /**
   * Starts the node without waiting for its master: a master that refuses the name (now or after a
   * restart of its own) stops it through `refusal`, which settles once that is handled.
   */
  private async launch(settings: AppSettings): Promise<{ node: PeerNode; refusal: Promise<void> } | null> {
    this.launches += 1;
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
      const refusal = node.fatal.then((error) => this.failed(node, error.message));
      return { node, refusal };
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
      const started = await this.launch(next);
      if (started !== null) await this.firstAnswer(started.node, started.refusal);
      return 'restarted';
    }
    if (previous.uploadLimitBytesPerSecond !== next.uploadLimitBytesPerSecond)
      node.setUploadLimit(next.uploadLimitBytesPerSecond);
    if (previous.cacheSizeBytes !== next.cacheSizeBytes) await node.store.setCapacity(next.cacheSizeBytes);
    if (previous.seeding !== next.seeding) await node.setSeeding(next.seeding);
    return 'live';
  }

  /**
   * A master refuses a name on the first register, so a Save that renamed the node waits that long
   * (bounded, for a master that is down) and can already say the name is taken. Launching at app
   * start does not wait: the window need not, and a refusal shows in Settings whenever it comes.
   */
  private async firstAnswer(node: PeerNode, refusal: Promise<void>): Promise<void> {
    // A refusal wakes the link's waiters and settles `fatal` in the same step, and `fatal` settles
    // this race in fewer steps than waitForMaster's answer does, so a refusal always wins it.
    const refused = await Promise.race([
      node.link?.waitForMaster(REFUSAL_WAIT_MS).then(() => null) ?? null,
      node.fatal,
    ]);
    if (refused !== null) await refusal;
  }

  /**
   * The running node gave up for good (its master refused its name): stop it and keep the reason,
   * which the settings screen shows, so the user can pick another name there.
   */
  private async failed(node: PeerNode, reason: string): Promise<void> {
    if (this.running !== node) return;
    const launches = this.launches;
    await this.stop();
    // A Save may have started another node (or failed to) while this one stopped: that outcome stands.
    if (this.launches !== launches) return;
    this.failure = reason;
    this.front = this.gatewayOver(new OfflineBackend(reason));
  }

  /** Stops the running node; resolves once every stop asked for so far is done. */
  async stop(): Promise<void> {
    const node = this.running;
    this.running = null;
    this.backend?.close();
    this.backend = null;
    this.front = this.gatewayOver(new OfflineBackend('it is restarting.'));
    // A node refused by its master may still be stopping when a Save restarts the node: the next
    // one must wait, or it finds the store still locked by the old one.
    this.stopping = this.stopping.then(() => node?.stop());
    await this.stopping;
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
