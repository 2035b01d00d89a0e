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
import { UpdateService, type UpdateServiceOptions } from './update-service.js';

/** How DesktopApp gets its updater; tests pass one aimed at a local feed, and a scheduler. */
export interface UpdatesSetup {
  engine(logger: Logger): AppUpdater | null;
  scheduler?: Scheduler;
}

export type AppUpdatesOptions = Omit<UpdateServiceOptions, 'onStatus'> & {
  /** Sends a status to the player window, if one is open. */
  send(status: UpdateStatus): void;
};

export class AppUpdates {
  readonly service: UpdateService;

  constructor({ send, ...options }: AppUpdatesOptions) {
    this.service = new UpdateService({ ...options, onStatus: send });
  }

  registerIpc(ipc: IpcManager): void {
    ipc.handle(IpcChannel.GetUpdateStatus, () => this.service.status);
    ipc.handle(IpcChannel.InstallUpdate, () => this.service.install());
    ipc.handle(IpcChannel.ReportWatching, ({ watching }) => {
      this.service.setActivity({ watching });
    });
  }

  /** Videos are being added (the ingester's queue is not empty): hold updates back until they are in. */
  setIngesting(ingesting: boolean): void {
    this.service.setActivity({ ingesting });
  }

  /**
   * The player's page went away (the window closed, the page reloaded or crashed): it plays
   * nothing, whatever it said last, and its player never got to say so.
   */
  playerGone(): void {
    this.service.setActivity({ watching: false });
  }
}
