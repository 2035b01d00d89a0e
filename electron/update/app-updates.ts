/**
 * Updates as the desktop app wires them: the player's requests over IPC (status, restart to
 * install, "a video is playing"), videos being added, and the player's page going away.
 */
import type { AppUpdater } from 'electron-updater';
import type { Logger } from '../../core/util/logger.js';
import { IpcChannel } from '../ipc/channels.js';
import type { UpdateStatus } from '../ipc/contract.js';
import type { IpcManager } from '../ipc/ipc-manager.js';
import type { Scheduler } from './scheduler.js';
import { UpdateService } from './update-service.js';

/** How DesktopApp gets its updater; tests pass one aimed at a local feed, and a scheduler. */
export interface UpdatesSetup {
  engine(logger: Logger): AppUpdater | null;
  scheduler?: Scheduler;
}

export class AppUpdates {
  readonly service: UpdateService;
  private ingests = 0;

  constructor(options: {
    engine: AppUpdater | null;
    enabled: boolean;
    logger: Logger;
    scheduler?: Scheduler;
    /** Sends a status to the player window, if one is open. */
    send(status: UpdateStatus): void;
    onBeforeInstall?(): void;
  }) {
    this.service = new UpdateService({
      engine: options.engine,
      enabled: options.enabled,
      logger: options.logger,
      ...(options.scheduler ? { scheduler: options.scheduler } : {}),
      onStatus: options.send,
      ...(options.onBeforeInstall ? { onBeforeInstall: options.onBeforeInstall } : {}),
    });
  }

  registerIpc(ipc: IpcManager): void {
    ipc.handle(IpcChannel.GetUpdateStatus, () => this.service.status);
    ipc.handle(IpcChannel.InstallUpdate, () => this.service.install());
    ipc.handle(IpcChannel.ReportWatching, ({ watching }) => {
      this.service.setActivity({ watching });
    });
  }

  /** Holds updates back until these files are added (or have failed). */
  trackIngest(work: Promise<void>): void {
    this.ingests += 1;
    this.service.setActivity({ ingesting: true });
    const done = (): void => {
      this.ingests -= 1;
      if (this.ingests === 0) this.service.setActivity({ ingesting: false });
    };
    // Either way the ingest is over; the ingester reports its own failures to the user.
    void work.then(done, done);
  }

  /**
   * The player's page went away (the window closed, the page reloaded or crashed): it plays
   * nothing, whatever it said last, and its player never got to say so.
   */
  playerGone(): void {
    this.service.setActivity({ watching: false });
  }
}
