/**
 * When the app looks for, downloads and offers its own updates. electron-updater does the work (the
 * release feed, the download, the sha512 check, the install); this decides when, and what the user
 * sees:
 *
 * - a check shortly after start, then daily; a failed check or download (no network, a bad file) is
 *   logged and tried again later, with growing pauses - never an error dialog;
 * - nothing is downloaded, offered or installed while a video plays or is being added: a download
 *   under way is cancelled and starts again once the user is done;
 * - once downloaded and verified, the player shows "Update ready: restart to install"; the user
 *   restarts when they like, and otherwise the update installs when the app quits.
 */
import electronUpdater, { type AppUpdater, type CancellationToken } from 'electron-updater';
import type { Logger } from '../../core/util/logger.js';
import type { InstallUpdateResult, UpdateStatus } from '../ipc/contract.js';
import { timerScheduler, type Scheduler } from './scheduler.js';
import { describeUpdateError } from './update-errors.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Long enough for the node and the window to be up first; the check is a few kilobytes. */
export const FIRST_CHECK_AFTER_MS = 10_000;
export const CHECK_EVERY_MS = 24 * HOUR;
/** After each failure in a row; then daily, like a normal check. */
export const RETRY_AFTER_MS: readonly number[] = [5 * MINUTE, 15 * MINUTE, HOUR, 4 * HOUR];

export interface Activity {
  /** A video is playing in the player window. */
  watching: boolean;
  /** Videos are being added (ffmpeg is cutting). */
  ingesting: boolean;
}

export interface UpdateServiceOptions {
  /** electron-updater's updater, or null where this copy cannot update itself. */
  engine: AppUpdater | null;
  /** The user's setting (Settings > App). */
  enabled: boolean;
  logger: Logger;
  scheduler?: Scheduler;
  /** Called with each new status, for the player. */
  onStatus(status: UpdateStatus): void;
  /**
   * Called just before the engine quits the app to install. macOS's updater closes every window
   * before the app's before-quit, so the app must know by now that it is quitting (a window that
   * hides to the tray instead of closing would stop the restart).
   */
  onBeforeInstall?(): void;
}

type Phase = 'idle' | 'checking' | 'found' | 'downloading' | 'downloaded';

export class UpdateService {
  private phase: Phase = 'idle';
  private version: string | null = null;
  private enabled: boolean;
  private readonly activity: Activity = { watching: false, ingesting: false };
  private failures = 0;
  private cancelTimer: (() => void) | null = null;
  private download: CancellationToken | null = null;
  private stopped = false;
  private sent = '';
  private readonly scheduler: Scheduler;
  private readonly engine: AppUpdater | null;
  /** What the engine was set up to do at quit (installer kinds differ); off while updates are off. */
  private readonly installOnQuit: boolean;

  constructor(private readonly options: UpdateServiceOptions) {
    this.engine = options.engine;
    this.enabled = options.enabled;
    this.scheduler = options.scheduler ?? timerScheduler;
    this.installOnQuit = this.engine?.autoInstallOnAppQuit ?? false;
    if (this.engine) this.engine.autoInstallOnAppQuit = this.enabled && this.installOnQuit;
  }

  get status(): UpdateStatus {
    if (this.engine === null) return { state: 'unsupported', version: null };
    if (!this.enabled) return { state: 'off', version: null };
    switch (this.phase) {
      case 'idle':
      case 'checking':
        return { state: this.phase, version: null };
      case 'found':
        // Found and free means its download is starting.
        return { state: this.busy ? 'waiting' : 'downloading', version: this.version };
      case 'downloading':
        return { state: 'downloading', version: this.version };
      case 'downloaded':
        return { state: this.busy ? 'waiting' : 'ready', version: this.version };
    }
  }

  /** The first check, shortly; later ones follow from it. */
  start(): void {
    if (this.engine === null) {
      this.options.logger.info('this copy of the app cannot update itself; updates are off');
    } else if (this.enabled) {
      this.schedule(FIRST_CHECK_AFTER_MS);
    }
    this.emit();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.download?.cancel();
  }

  setEnabled(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    if (this.engine) this.engine.autoInstallOnAppQuit = enabled && this.installOnQuit;
    if (enabled) {
      this.options.logger.info('updates turned on');
      this.schedule(FIRST_CHECK_AFTER_MS);
    } else {
      this.options.logger.info('updates turned off');
      this.cancelTimer?.();
      this.cancelTimer = null;
      this.download?.cancel();
    }
    this.emit();
  }

  setActivity(change: Partial<Activity>): void {
    const wasBusy = this.busy;
    Object.assign(this.activity, change);
    if (this.busy !== wasBusy) {
      // Starting to watch (or to add a video) pauses a download; finishing resumes it.
      if (this.busy) this.download?.cancel();
      else void this.downloadIfFree();
    }
    this.emit();
  }

  /** The user's "restart to install". */
  install(): InstallUpdateResult {
    if (this.engine === null || !this.enabled || this.phase !== 'downloaded') {
      return { ok: false, message: 'No update has been downloaded yet.' };
    }
    if (this.activity.ingesting) {
      return { ok: false, message: 'A video is being added; restart to install once it is done.' };
    }
    if (this.activity.watching) {
      return { ok: false, message: 'A video is playing; restart to install once it is stopped.' };
    }
    this.options.logger.info({ version: this.version }, `restarting to install update ${this.version}`);
    this.options.onBeforeInstall?.();
    // Silent, and start the new version afterwards: the user already said yes.
    this.engine.quitAndInstall(true, true);
    return { ok: true };
  }

  private get busy(): boolean {
    return this.activity.watching || this.activity.ingesting;
  }

  private get working(): boolean {
    return this.engine !== null && this.enabled && !this.stopped;
  }

  private async check(): Promise<void> {
    const engine = this.engine;
    if (engine === null || !this.working || this.phase === 'checking' || this.phase === 'downloading') return;
    const before = this.phase;
    const had = this.version;
    this.phase = 'checking';
    this.emit();
    let found: string | null;
    try {
      const result = await engine.checkForUpdates();
      found = result?.isUpdateAvailable ? result.updateInfo.version : null;
      const latest = result?.updateInfo.version ?? 'unknown';
      if (found === null) this.options.logger.info({ latest }, 'the app is up to date');
    } catch (error) {
      this.phase = before === 'downloaded' ? 'downloaded' : 'idle';
      this.version = this.phase === 'downloaded' ? had : null;
      this.failed(error);
      return;
    }
    if (!this.working) {
      // Turned off (or the app stopped) while the check ran: forget what it found.
      this.phase = before === 'downloaded' ? 'downloaded' : 'idle';
      this.version = this.phase === 'downloaded' ? had : null;
      this.emit();
      return;
    }
    this.failures = 0;
    this.schedule(CHECK_EVERY_MS);
    if (found === null || (before === 'downloaded' && found === had)) {
      this.phase = before === 'downloaded' ? 'downloaded' : 'idle';
      this.version = this.phase === 'downloaded' ? had : null;
      this.emit();
      return;
    }
    this.options.logger.info({ version: found }, `update ${found} found`);
    this.version = found;
    this.phase = 'found';
    this.emit();
    await this.downloadIfFree();
  }

  private async downloadIfFree(): Promise<void> {
    const engine = this.engine;
    if (engine === null || this.phase !== 'found' || !this.working || this.busy) return;
    const token = new electronUpdater.CancellationToken();
    this.download = token;
    this.phase = 'downloading';
    this.emit();
    try {
      await engine.downloadUpdate(token);
    } catch (error) {
      this.download = null;
      if (token.cancelled) {
        this.phase = 'found';
        this.options.logger.info(
          { version: this.version },
          this.working
            ? `download of update ${this.version} paused until no video is playing or being added`
            : `download of update ${this.version} stopped: updates were turned off, or the app is quitting`,
        );
        this.emit();
        // The user may have stopped watching before the cancelled download gave up: setActivity then
        // found it still under way and left it, so nothing else would start it again.
        await this.downloadIfFree();
        return;
      }
      this.phase = 'idle';
      this.failed(error);
      return;
    }
    this.download = null;
    this.phase = 'downloaded';
    this.options.logger.info(
      { version: this.version },
      `update ${this.version} downloaded and verified (sha512); it installs on restart`,
    );
    this.emit();
  }

  private failed(error: unknown): void {
    const delay = RETRY_AFTER_MS[this.failures] ?? CHECK_EVERY_MS;
    this.failures += 1;
    this.options.logger.warn(
      { err: error, retryInMs: delay },
      `${describeUpdateError(error, this.version)} Trying again in ${inWords(delay)}.`,
    );
    if (this.working) this.schedule(delay);
    this.emit();
  }

  private schedule(ms: number): void {
    this.cancelTimer?.();
    this.cancelTimer = this.scheduler.after(ms, () => {
      this.cancelTimer = null;
      void this.check();
    });
  }

  private emit(): void {
    const status = this.status;
    const key = JSON.stringify(status);
    if (key === this.sent) return;
    this.sent = key;
    this.options.onStatus(status);
  }
}

function inWords(ms: number): string {
  if (ms % HOUR === 0) return ms === HOUR ? '1 hour' : `${ms / HOUR} hours`;
  return `${Math.round(ms / MINUTE)} minutes`;
}
