/**
 * The desktop app's lifecycle: one instance, the node, the UI's protocol, the window, the tray and
 * the IPC handlers, wired together. Each part lives in its own module; this one only connects them.
 */
import os from 'node:os';
import type { BrowserWindow } from 'electron';
import { Menu, app, dialog, ipcMain, protocol, session } from 'electron';
import { createGatewayToken } from '../core/gateway/token.js';
import { errorMessage } from '../core/util/errors.js';
import type { Logger } from '../core/util/logger.js';
import type { PeerNodeOptions } from '../core/node/peer-node.js';
import type { AppSettings } from '../core/settings/settings-model.js';
import { appMenuTemplate, VIDEO_EXTENSIONS } from './app-menu.js';
import type { AppPaths } from './app-paths.js';
import { APP_SCHEME } from './app-identity.js';
import { createProtocolHandler, registerAppScheme } from './app-protocol.js';
import { IpcChannel } from './ipc/channels.js';
import type { AppPage, IngestProgress, LoadedSettingsView } from './ipc/contract.js';
import { IpcManager } from './ipc/ipc-manager.js';
import { joinLink } from './link-join.js';
import { linkFromArgv, registerLinkScheme } from './link-scheme.js';
import { LoopMonitor } from './loop-monitor.js';
import { NodeHost } from './node-host.js';
import { PageInbox } from './page-inbox.js';
import { addSampleOnFirstRun } from './sample-video.js';
import { denyPermissions, hardenWebContents, openExternalSafely } from './security.js';
import { SettingsService } from './settings-service.js';
import { TrayController } from './tray-controller.js';
import { TrayStatusSampler } from './tray-status.js';
import { AppUpdates, type UpdatesSetup } from './update/app-updates.js';
import { platformUpdater } from './update/platform-updater.js';
import { VideoIngester } from './video-ingester.js';
import { createPlayerWindow } from './window.js';

export interface DesktopAppOptions {
  paths: AppPaths;
  /** Start hidden in the tray (`--tray`, and launch at login). */
  startInTray: boolean;
  logger: Logger;
  peerNodeOptions?: PeerNodeOptions;
  /** Where updates come from; by default the release feed of the installed app (none in development). */
  updates?: UpdatesSetup;
}

/** Call at module load, before `ready`: Electron grants scheme privileges only then. */
export function beforeReady(): void {
  registerAppScheme(protocol);
}

export class DesktopApp {
  window: BrowserWindow | null = null;
  tray: TrayController | null = null;
  readonly host: NodeHost;
  readonly ipc: IpcManager;
  private settings!: SettingsService;
  private readonly ingester: VideoIngester;
  private readonly sampler = new TrayStatusSampler();
  private monitor: LoopMonitor | null = null;
  private updates: AppUpdates | null = null;
  private quitting = false;
  private shutDown = false;
  private started = false;
  /** peerstreamer: links on their way to the page, which opens them as it opens a pasted one. */
  private readonly links = new PageInbox<string>((link) => this.sendToPage(IpcChannel.OpenLink, link), 8);
  /** Pages the menu asked for ("Go live…"), shown once the page listens. */
  private readonly pages = new PageInbox<AppPage>((page) => this.sendToPage(IpcChannel.ShowPage, page), 1);
  /** The gateway's per-run secret; the protocol handler adds it, so the renderer never holds it. */
  private readonly token = createGatewayToken();

  private constructor(private readonly options: DesktopAppOptions) {
    this.host = new NodeHost({
      storeDir: options.paths.store,
      token: this.token,
      staticDir: options.paths.staticDir,
      logger: options.logger,
      ...(options.peerNodeOptions ? { peerNodeOptions: options.peerNodeOptions } : {}),
    });
    this.ipc = new IpcManager(ipcMain, () => this.window?.webContents ?? null, options.logger);
    this.ingester = new VideoIngester(
      () => this.host.node,
      (p) => this.reportIngest(p),
      options.logger,
      // No update is downloaded or offered while videos are being added.
      (busy) => this.updates?.setIngesting(busy),
    );
  }

  /**
   * Starts the app, or returns null after handing over to an instance that is already running (it
   * gets 'second-instance' and shows its window).
   */
  static async launch(options: DesktopAppOptions): Promise<DesktopApp | null> {
    if (!app.requestSingleInstanceLock()) {
      app.quit();
      return null;
    }
    const desktop = new DesktopApp(options);
    // Windows and Linux start a second instance for a clicked link; it hands its argv over here.
    app.on('second-instance', (_event, argv) => {
      const link = linkFromArgv(argv);
      if (link !== null) desktop.openLink(link);
      else desktop.showPlayer();
    });
    // macOS sends a clicked link as open-url, at launch before 'ready' too: listen before waiting.
    app.on('open-url', (event, url) => {
      event.preventDefault();
      desktop.openLink(url);
    });
    if (!registerLinkScheme(app, process.defaultApp === true, process.argv))
      options.logger.warn('peerstreamer: links will not open this app: the OS refused the registration');
    const launchedWith = linkFromArgv(process.argv);
    if (launchedWith !== null) desktop.openLink(launchedWith);
    // macOS: a click on the dock icon while only the tray is left brings the player back.
    app.on('activate', () => desktop.showPlayer());
    app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
    // Closing the last window: keep seeding from the tray, or quit when the user turned that off.
    app.on('window-all-closed', () => {
      if (!desktop.settings.settings.closeToTray) app.quit();
    });
    app.on('before-quit', () => {
      desktop.quitting = true;
    });
    app.on('will-quit', (event) => {
      if (desktop.shutDown) return;
      // The node says goodbye to its master and closes the store before the process ends.
      event.preventDefault();
      void desktop.shutdown().finally(() => app.quit());
    });
    await app.whenReady();
    await desktop.start();
    return desktop;
  }

  private async start(): Promise<void> {
    const { paths, logger } = this.options;
    denyPermissions(session.defaultSession);
    protocol.handle(
      APP_SCHEME,
      createProtocolHandler({ gateway: () => this.host.gateway(), token: this.token }),
    );
    this.settings = await SettingsService.load(paths.store, defaultNodeName(), logger);
    const node = await this.host.start(this.settings.settings);
    if (node !== null && this.settings.settings.master === null) {
      await addSampleOnFirstRun(node.store, paths.sampleVideo, logger).catch((error: unknown) =>
        logger.warn({ err: error }, `sample video not added: ${errorMessage(error)}`),
      );
    }
    this.monitor = new LoopMonitor(logger);
    const updates = this.options.updates ?? { engine: platformUpdater };
    this.updates = new AppUpdates({
      engine: updates.engine(logger),
      enabled: this.settings.settings.autoUpdate,
      logger,
      ...(updates.scheduler ? { scheduler: updates.scheduler } : {}),
      send: (status) => {
        if (this.window !== null && !this.window.isDestroyed())
          this.window.webContents.send(IpcChannel.UpdateStatus, status);
      },
      // Let the window close instead of hiding to the tray: the updater closes it to quit.
      onBeforeInstall: () => {
        this.quitting = true;
      },
    });
    this.registerIpc();
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        appMenuTemplate(
          {
            addVideo: () => void this.pickVideos(),
            goLive: () => this.showPage('go-live'),
            openPlayer: () => this.showPlayer(),
            quit: () => this.quit(),
          },
          process.platform,
        ),
      ),
    );
    this.tray = new TrayController(
      paths.trayIcon,
      () => this.sampler.sample(this.host.node, this.host.problem),
      {
        openPlayer: () => this.showPlayer(),
        setSeeding: (enabled) => void this.setSeeding(enabled),
        quit: () => this.quit(),
      },
    );
    this.applyToOs(this.settings.settings);
    this.updates.service.start();
    this.started = true;
    // A link that launched the app (or came during the start) needs the window even from the tray.
    if (!this.options.startInTray || this.links.hasWaiting()) this.showPlayer();
  }

  /**
   * A peerstreamer: link the app was asked to open: shown in the player, which takes it down the
   * same path as a link typed into Open link (a bad one gets the parser's words there). Before the
   * app has started, or while the page loads, it waits in the inbox.
   */
  openLink(link: string): void {
    this.options.logger.info({ link: link.slice(0, 200) }, 'asked to open a link');
    this.links.deliver(link);
    if (this.started) this.showPlayer();
  }

  /** The menu's way to a page of the player: the window shown, the page routed there once it listens. */
  showPage(page: AppPage): void {
    this.pages.deliver(page);
    this.showPlayer();
  }

  private sendToPage(channel: IpcChannel.OpenLink | IpcChannel.ShowPage, item: string): boolean {
    const window = this.window;
    if (window === null || window.isDestroyed()) return false;
    window.webContents.send(channel, item);
    return true;
  }

  /** Shows (creating if needed), restores and focuses the player window. */
  showPlayer(): void {
    let window = this.window;
    if (window === null || window.isDestroyed()) {
      window = createPlayerWindow({
        preloadPath: this.options.paths.preload,
        iconPath: this.options.paths.windowIcon,
      });
      window.on('close', (event) => {
        if (!this.quitting && this.settings.settings.closeToTray) {
          event.preventDefault();
          window!.hide();
        }
      });
      window.on('closed', () => {
        if (this.window === window) this.window = null;
        this.links.pageGone();
        this.pages.pageGone();
        this.updates?.playerGone();
      });
      // A new document (a reload) or a crashed page: not a route change inside the player.
      window.webContents.on('did-start-navigation', (details) => {
        if (details.isMainFrame && !details.isSameDocument) {
          this.updates?.playerGone();
          this.links.pageGone();
          this.pages.pageGone();
        }
      });
      window.webContents.on('render-process-gone', () => {
        this.updates?.playerGone();
        this.links.pageGone();
        this.pages.pageGone();
      });
      this.window = window;
      return;
    }
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  }

  /** Pause/Resume from the tray: saved like any setting, so it survives a restart. */
  async setSeeding(enabled: boolean): Promise<void> {
    const result = await this.settings.save({ seeding: enabled }, this.host, this);
    if (!result.ok) this.options.logger.warn(result.message);
    this.tray?.refresh();
  }

  quit(): void {
    this.quitting = true;
    app.quit();
  }

  /** Stops the node and everything that ticks; idempotent. */
  async shutdown(): Promise<void> {
    if (this.shutDown) return;
    this.shutDown = true;
    this.tray?.destroy();
    this.monitor?.stop();
    this.updates?.service.stop();
    this.ipc.dispose();
    await this.host.stop();
  }

  applyToOs(settings: AppSettings): void {
    // Started at login, the app goes straight to the tray: the user did not ask for a window.
    app.setLoginItemSettings({ openAtLogin: settings.launchAtLogin, args: ['--tray'] });
    this.updates?.service.setEnabled(settings.autoUpdate);
  }

  async pickVideos(): Promise<{ queued: number }> {
    const options = {
      title: 'Add video',
      properties: ['openFile', 'multiSelections'] as Array<'openFile' | 'multiSelections'>,
      filters: [{ name: 'Videos', extensions: VIDEO_EXTENSIONS }],
    };
    const picked = this.window
      ? await dialog.showOpenDialog(this.window, options)
      : await dialog.showOpenDialog(options);
    if (picked.canceled || picked.filePaths.length === 0) return { queued: 0 };
    this.ingest(picked.filePaths);
    return { queued: picked.filePaths.length };
  }

  /** Adds videos in the background; the ingester reports progress and failures itself. */
  private ingest(paths: string[]): void {
    void this.ingester.add(paths);
  }

  private registerIpc(): void {
    this.ipc.handle(IpcChannel.GetSettings, (): LoadedSettingsView => ({
      settings: this.settings.settings,
      warnings: this.settings.warnings,
      nodeProblem: this.host.problem,
    }));
    this.ipc.handle(IpcChannel.SaveSettings, async (patch) => {
      const result = await this.settings.save(patch, this.host, this);
      this.tray?.refresh();
      return result;
    });
    this.ipc.handle(IpcChannel.ClearCache, async () => ({
      bytesFreed: (await this.host.node?.store.clearCache()) ?? 0,
    }));
    this.ipc.handle(IpcChannel.PickVideos, () => this.pickVideos());
    this.ipc.handle(IpcChannel.AddVideos, ({ paths }) => {
      this.ingest(paths);
      return { queued: paths.length };
    });
    this.ipc.handle(IpcChannel.OpenExternal, ({ url }) => openExternalSafely(url));
    this.ipc.handle(IpcChannel.JoinLink, async ({ link }) => {
      const joined = await joinLink(link, (patch) => this.settings.save(patch, this.host, this));
      this.tray?.refresh();
      return joined;
    });
    this.ipc.handle(IpcChannel.TakeLinks, () => this.links.take());
    this.ipc.handle(IpcChannel.TakePages, () => this.pages.take());
    this.updates?.registerIpc(this.ipc);
  }

  /** Taskbar/dock progress plus a message the renderer shows; the bar clears when a file is done. */
  private reportIngest(progress: IngestProgress): void {
    const window = this.window;
    if (window === null || window.isDestroyed()) return;
    window.setProgressBar(progress.state === 'running' ? (progress.fraction ?? 2) : -1, {
      mode: progress.state === 'failed' ? 'error' : progress.fraction === null ? 'indeterminate' : 'normal',
    });
    window.webContents.send(IpcChannel.IngestProgress, progress);
  }
}

/** "<host>-<4 hex>": readable in a master's child list, and unlikely to collide on one LAN. */
function defaultNodeName(): string {
  const host =
    os
      .hostname()
      .replace(/[^A-Za-z0-9._-]/g, '')
      .slice(0, 80) || 'desktop';
  const suffix = Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return /^[A-Za-z0-9]/.test(host) ? `${host}-${suffix}` : `desktop-${suffix}`;
}
