/**
 * Updates inside the desktop app (fake electron, real node, real feed on 127.0.0.1): the player's
 * IPC (status, "a video is playing", restart to install) through the IPC manager's sender and
 * payload checks, videos being added holding the update back, the window closing, and the setting.
 */
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, app, ipcMain, resetElectronFake } from '../../mocks/electron.js';
import type { DesktopApp as DesktopAppInstance } from '../../../electron/desktop-app.js';
import type { LoadedSettingsView, UpdateStatus } from '../../../electron/ipc/contract.js';
import { FIRST_CHECK_AFTER_MS } from '../../../electron/update/update-service.js';
import { desktopFixture, quietLogger, type DesktopFixture } from '../fixtures/desktop.js';
import { ManualScheduler, installedUpdater, recordingLogger, type InstalledUpdater } from './fixtures.js';
import { waitFor } from '../../helpers/wait.js';
import { UpdateFeed } from './update-feed.js';

vi.mock('electron', () => import('../../mocks/electron.js'));

const { DesktopApp } = await import('../../../electron/desktop-app.js');
const { IpcChannel } = await import('../../../electron/ipc/channels.js');

const DEB = 'peerstreamer_0.2.0_amd64.deb';

let feed: UpdateFeed;
let scheduler: ManualScheduler;
let fixture: DesktopFixture | null = null;
let installed: InstalledUpdater | null = null;
let desktop: DesktopAppInstance | null = null;

beforeEach(async () => {
  feed = await UpdateFeed.start();
  feed.publish({ version: '0.2.0', artifacts: [{ name: DEB, bytes: Buffer.alloc(200_000, 7) }] });
  scheduler = new ManualScheduler();
});

afterEach(async () => {
  await desktop?.shutdown();
  desktop = null;
  resetElectronFake();
  await fixture?.cleanup();
  fixture = null;
  installed?.cleanup();
  installed = null;
  await feed.close();
});

async function launch(withUpdates = true): Promise<DesktopAppInstance> {
  fixture = await desktopFixture();
  // Without updates given, the app picks its own updater: none, since the fake app is not packaged.
  installed = withUpdates ? installedUpdater('deb', feed, recordingLogger().logger) : null;
  const engine = installed?.engine ?? null;
  const launched = await DesktopApp.launch({
    paths: fixture.paths,
    startInTray: false,
    logger: quietLogger(),
    ...(engine ? { updates: { engine: () => engine, scheduler } } : {}),
  });
  if (launched === null) throw new Error('launch handed over to another instance');
  desktop = launched;
  return launched;
}

const player = () => BrowserWindow.getAllWindows()[0]!;
const fromPlayer = () => ({ sender: player().webContents, senderFrame: player().webContents.mainFrame });
const sentStatuses = (): UpdateStatus[] =>
  player()
    .webContents.sent.filter((message) => message.channel === IpcChannel.UpdateStatus)
    .map((message) => message.args[0] as UpdateStatus);
const lastSent = () => sentStatuses().at(-1)?.state;

async function ready(): Promise<void> {
  scheduler.fire();
  await waitFor(() => lastSent() === 'ready', 'the update to be ready');
}

describe('the player and the update', () => {
  it('asks for the status, hears when the update is ready, holds it while watching, and restarts into it', async () => {
    await launch();
    expect(await ipcMain.invoke(IpcChannel.GetUpdateStatus, fromPlayer())).toEqual({
      state: 'idle',
      version: null,
    });
    expect(scheduler.pending).toEqual([FIRST_CHECK_AFTER_MS]);

    await ready();
    expect(sentStatuses().at(-1)).toEqual({ state: 'ready', version: '0.2.0' });
    expect(feed.downloadsOf(DEB)).toBe(1);

    await ipcMain.invoke(IpcChannel.ReportWatching, fromPlayer(), { watching: true });
    expect(lastSent()).toBe('waiting');
    expect(await ipcMain.invoke(IpcChannel.InstallUpdate, fromPlayer())).toEqual({
      ok: false,
      message: 'A video is playing; restart to install once it is stopped.',
    });
    await ipcMain.invoke(IpcChannel.ReportWatching, fromPlayer(), { watching: false });
    expect(lastSent()).toBe('ready');

    const quitAndInstall = vi.spyOn(installed!.engine, 'quitAndInstall').mockImplementation(() => undefined);
    expect(await ipcMain.invoke(IpcChannel.InstallUpdate, fromPlayer())).toEqual({ ok: true });
    expect(quitAndInstall).toHaveBeenCalledWith(true, true);
    expect(await ipcMain.invoke(IpcChannel.GetUpdateStatus, fromPlayer())).toEqual({
      state: 'ready',
      version: '0.2.0',
    });
  });

  it('restart to install, with "keep seeding after closing" on (the default): the window closes and the app quits', async () => {
    await launch();
    await ready();
    const view = (await ipcMain.invoke(IpcChannel.GetSettings, fromPlayer())) as LoadedSettingsView;
    expect(view.settings.closeToTray).toBe(true);
    const window = player();
    // What macOS's updater (Squirrel.Mac, behind Electron's autoUpdater.quitAndInstall) does: close
    // every window first, and quit only once all of them have closed. A window that hides instead
    // leaves the app running and the update uninstalled.
    vi.spyOn(installed!.engine, 'quitAndInstall').mockImplementation(() => {
      for (const open of BrowserWindow.getAllWindows()) open.close();
      if (BrowserWindow.getAllWindows().length === 0) app.quit();
    });
    expect(await ipcMain.invoke(IpcChannel.InstallUpdate, fromPlayer())).toEqual({ ok: true });
    expect(window.isDestroyed()).toBe(true);
    await waitFor(() => app.quitted, 'the app to quit');
  });

  it('refuses other windows and payloads that are not true or false', async () => {
    await launch();
    const other = new BrowserWindow();
    await other.loadURL('peerstreamer://app/index.html');
    const stranger = { sender: other.webContents, senderFrame: other.webContents.mainFrame };
    for (const channel of [IpcChannel.GetUpdateStatus, IpcChannel.InstallUpdate]) {
      await expect(ipcMain.invoke(channel, stranger)).rejects.toThrow('Request refused.');
    }
    await expect(ipcMain.invoke(IpcChannel.ReportWatching, stranger, { watching: true })).rejects.toThrow(
      'Request refused.',
    );
    for (const bad of [undefined, { watching: 'yes' }, { watching: true, extra: 1 }, true]) {
      await expect(ipcMain.invoke(IpcChannel.ReportWatching, fromPlayer(), bad)).rejects.toThrow(
        /Watching: /,
      );
    }
    await expect(ipcMain.invoke(IpcChannel.InstallUpdate, fromPlayer(), { now: true })).rejects.toThrow(
      'This request takes no payload.',
    );
  });

  it('a closed player window is not watching any more', async () => {
    await launch();
    await ready();
    await ipcMain.invoke(IpcChannel.ReportWatching, fromPlayer(), { watching: true });
    expect(lastSent()).toBe('waiting');
    player().destroy();
    // Opened again (a second launch brings the player back): the update is offered.
    app.emit('second-instance');
    expect(await ipcMain.invoke(IpcChannel.GetUpdateStatus, fromPlayer())).toEqual({
      state: 'ready',
      version: '0.2.0',
    });
  });
});

describe('the player page going away', () => {
  const status = async () =>
    ((await ipcMain.invoke(IpcChannel.GetUpdateStatus, fromPlayer())) as UpdateStatus).state;
  const watching = () => ipcMain.invoke(IpcChannel.ReportWatching, fromPlayer(), { watching: true });

  it('a reload or a crashed page is not watching any more; a route change inside the page still is', async () => {
    await launch();
    await ready();
    const page = player().webContents;

    await watching();
    page.startNavigation('peerstreamer://app/index.html#/stats', { isSameDocument: true });
    expect(await status()).toBe('waiting');
    page.startNavigation('peerstreamer://app/index.html', { isSameDocument: false });
    expect(await status()).toBe('ready');

    await watching();
    expect(await status()).toBe('waiting');
    page.crash();
    expect(await status()).toBe('ready');
  });
});

describe('videos being added', () => {
  it('hold a downloaded update back until they are in', async () => {
    const started = await launch();
    await ready();
    const clip = path.join(fixture!.dir, 'holiday.mp4');
    await copyFile(fixture!.paths.sampleVideo, clip);
    await ipcMain.invoke(IpcChannel.AddVideos, fromPlayer(), { paths: [clip] });
    // At once, in the same turn as the request: the notice goes away before ffmpeg starts.
    expect(lastSent()).toBe('waiting');
    expect(await ipcMain.invoke(IpcChannel.InstallUpdate, fromPlayer())).toMatchObject({ ok: false });
    await waitFor(
      () => started.host.node!.store.listVideos().some((video) => video.name === 'holiday'),
      'the video to be added',
      60_000,
    );
    await waitFor(() => lastSent() === 'ready', 'the update to be offered again');
  });
});

describe('the setting', () => {
  it('turned off in Settings: off at once, nothing scheduled; on again: a check soon', async () => {
    await launch();
    const off = await ipcMain.invoke(IpcChannel.SaveSettings, fromPlayer(), { autoUpdate: false });
    expect(off).toMatchObject({ ok: true, restarted: false, settings: { autoUpdate: false } });
    expect(lastSent()).toBe('off');
    expect(scheduler.pending).toEqual([]);
    const view = (await ipcMain.invoke(IpcChannel.GetSettings, fromPlayer())) as LoadedSettingsView;
    expect(view.settings.autoUpdate).toBe(false);

    await ipcMain.invoke(IpcChannel.SaveSettings, fromPlayer(), { autoUpdate: true });
    expect(lastSent()).toBe('idle');
    expect(scheduler.pending).toEqual([FIRST_CHECK_AFTER_MS]);
    expect(feed.requests).toEqual([]);
  });

  it('is on by default', async () => {
    await launch();
    const view = (await ipcMain.invoke(IpcChannel.GetSettings, fromPlayer())) as LoadedSettingsView;
    expect(view.settings.autoUpdate).toBe(true);
  });

  it('a development run (not packaged) cannot update itself', async () => {
    await launch(false);
    expect(await ipcMain.invoke(IpcChannel.GetUpdateStatus, fromPlayer())).toEqual({
      state: 'unsupported',
      version: null,
    });
  });
});
