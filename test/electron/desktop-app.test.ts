import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BrowserWindow,
  Menu,
  Tray,
  app,
  ipcMain,
  protocol,
  resetElectronFake,
  session,
  type FakeMenuItem,
} from '../mocks/electron.js';
import { PeerClient } from '../../core/net/client.js';
import { isPeerStreamerError } from '../../core/util/errors.js';
import { readSettingsFromDir } from '../../core/settings/settings-store.js';
import { defaultSettings } from '../../core/settings/settings-model.js';
import type { DesktopApp as DesktopAppInstance } from '../../electron/desktop-app.js';
import type { LoadedSettingsView, SaveSettingsResult } from '../../electron/ipc/contract.js';
import { desktopFixture, quietLogger, type DesktopFixture } from './fixtures/desktop.js';
import { waitFor } from '../helpers/wait.js';

vi.mock('electron', () => import('../mocks/electron.js'));

const { DesktopApp } = await import('../../electron/desktop-app.js');
const { IpcChannel } = await import('../../electron/ipc/channels.js');

type Desktop = DesktopAppInstance;

let fixture: DesktopFixture | null = null;
let desktop: Desktop | null = null;

afterEach(async () => {
  await desktop?.shutdown();
  desktop = null;
  resetElectronFake();
  await fixture?.cleanup();
  fixture = null;
});

async function launch(
  options: { startInTray?: boolean; settings?: Parameters<typeof desktopFixture>[0] } = {},
): Promise<Desktop> {
  fixture = await desktopFixture(options.settings);
  const launched = await DesktopApp.launch({
    paths: fixture.paths,
    startInTray: options.startInTray ?? false,
    logger: quietLogger(),
  });
  if (launched === null) throw new Error('launch handed over to another instance');
  desktop = launched;
  return launched;
}

const onlyWindow = (): BrowserWindow => {
  const windows = BrowserWindow.getAllWindows();
  expect(windows).toHaveLength(1);
  return windows[0]!;
};

const trayItems = (): FakeMenuItem[] => Tray.instances[0]!.menu!.items;
const trayItem = (id: string): FakeMenuItem => {
  const item = trayItems().find((entry) => entry.id === id);
  if (!item)
    throw new Error(
      `tray menu has no "${id}"; it has ${trayItems()
        .map((entry) => entry.label)
        .join(', ')}`,
    );
  return item;
};

const fromPlayer = () => {
  const contents = onlyWindow().webContents;
  return { sender: contents, senderFrame: contents.mainFrame };
};

/** A stranger asking the app's node for a chunk, over real sockets. */
async function strangerGets(port: number): Promise<'served' | 'refused'> {
  const client = new PeerClient();
  try {
    const { body } = await client.request(
      `tcp://127.0.0.1:${port}`,
      { type: 'get', video: 'sample', index: 0, fetchUpstream: false, name: 'stranger' },
      { timeoutMs: 5_000 },
    );
    return body.length > 0 ? 'served' : 'refused';
  } catch (error) {
    // The refusal travels as the remote's code (see core/net/remote-error.ts).
    if (isPeerStreamerError(error) && error.context.remoteCode === 'NOT_SEEDING') return 'refused';
    throw error;
  } finally {
    await client.close();
  }
}

describe('startup', () => {
  it('first run: starts a source node with the sample video, serves the UI through the protocol, opens the player', async () => {
    const started = await launch();
    const node = started.host.node!;
    expect(node.config).toMatchObject({ name: 'desk-test', port: fixture!.port });
    expect(node.link).toBeNull();
    expect(node.store.listVideos().map((video) => video.name)).toEqual(['sample']);

    const window = onlyWindow();
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect(window.webContents.getURL()).toBe('peerstreamer://app/index.html');
    expect(session.defaultSession.permissionRequestHandler).not.toBeNull();

    const handle = protocol.handlers.get('peerstreamer')!;
    const page = await handle(new Request('peerstreamer://app/index.html'));
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const videos = (await (await handle(new Request('peerstreamer://app/api/videos'))).json()) as Array<{
      name: string;
    }>;
    expect(videos.map((video) => video.name)).toEqual(['sample']);
  });

  it('a second launch hands over: it takes no lock, quits, and starts nothing', async () => {
    fixture = await desktopFixture();
    app.lockAvailable = false;
    const second = await DesktopApp.launch({
      paths: fixture.paths,
      startInTray: false,
      logger: quietLogger(),
    });
    expect(second).toBeNull();
    expect(app.quitCalls).toBe(1);
    expect(BrowserWindow.instances).toHaveLength(0);
    expect(Tray.instances).toHaveLength(0);
  });

  it('the first instance focuses its window when a second is launched', async () => {
    await launch();
    const window = onlyWindow();
    window.minimize();
    window.hide();
    app.emit('second-instance', {}, ['peerstreamer'], '/');
    expect(window.isMinimized()).toBe(false);
    expect(window.isVisible()).toBe(true);
    expect(window.focused).toBe(true);
    expect(BrowserWindow.getAllWindows()).toHaveLength(1);
  });

  it('--tray starts hidden in the tray, seeding; the player opens on demand', async () => {
    const started = await launch({ startInTray: true });
    expect(BrowserWindow.instances).toHaveLength(0);
    expect(Tray.instances).toHaveLength(1);
    expect(started.host.node!.seeding).toBe(true);
    trayItem('open').click!();
    expect(onlyWindow().webContents.getURL()).toBe('peerstreamer://app/index.html');
  });

  it('a node that cannot start leaves the app up, says why, and starts once the settings are fixed', async () => {
    const net = await import('node:net');
    const blocker = net.createServer();
    fixture = await desktopFixture();
    await new Promise<void>((resolve) => blocker.listen(fixture!.port, '0.0.0.0', resolve));
    try {
      const started = await DesktopApp.launch({
        paths: fixture.paths,
        startInTray: false,
        logger: quietLogger(),
      });
      desktop = started;
      expect(started!.host.node).toBeNull();
      const api = await protocol.handlers.get('peerstreamer')!(new Request('peerstreamer://app/api/stats'));
      expect(((await api.json()) as { error: { message: string } }).error.message).toMatch(
        /not running.*Open Settings/,
      );
      const view = (await ipcMain.invoke(IpcChannel.GetSettings, fromPlayer())) as LoadedSettingsView;
      expect(view.nodeProblem).toMatch(/port|in use/i);
      expect(trayItems()[0]!.label).toMatch(/^Node not running/);

      const { freePort } = await import('../helpers/swarm.js');
      const port = await freePort();
      const saved = (await ipcMain.invoke(IpcChannel.SaveSettings, fromPlayer(), {
        port,
      })) as SaveSettingsResult;
      expect(saved).toMatchObject({ ok: true, restarted: true, nodeProblem: null });
      expect(started!.host.node!.config.port).toBe(port);
    } finally {
      blocker.close();
    }
  });
});

describe('tray', () => {
  it('shows live status and offers Open player, Pause seeding and Quit', async () => {
    await launch();
    expect(trayItems().map((item) => item.label ?? item.type)).toEqual([
      'Node: desk-test (source)',
      'Peers: 0',
      'Upload: 0 B/s',
      'Videos seeded: 1',
      'separator',
      'Open player',
      'Pause seeding',
      'separator',
      'Quit PeerStreamer',
    ]);
    expect(
      trayItems()
        .slice(0, 4)
        .every((item) => item.enabled === false),
    ).toBe(true);
    expect(Tray.instances[0]!.tooltip).toBe('PeerStreamer: seeding 1 video to 0 peers');
  });

  it('Pause stops serving chunks to others (a real node, real sockets); Resume serves again; both persist', async () => {
    const started = await launch({ startInTray: true });
    const port = fixture!.port;
    expect(await strangerGets(port)).toBe('served');

    trayItem('pause').click!();
    await waitFor(() => started.host.node!.seeding === false, 'seeding to pause');
    expect(await strangerGets(port)).toBe('refused');
    expect(started.host.node!.stats().seeding).toBe(false);
    expect(trayItem('resume').label).toBe('Resume seeding');
    expect(Tray.instances[0]!.tooltip).toBe('PeerStreamer: seeding paused');

    trayItem('resume').click!();
    await waitFor(() => started.host.node!.seeding === true, 'seeding to resume');
    expect(await strangerGets(port)).toBe('served');

    trayItem('pause').click!();
    await waitFor(() => started.host.node!.seeding === false, 'seeding to pause again');
    await started.shutdown();
    const { settings } = await readSettingsFromDir(fixture!.paths.store, defaultSettings('x'));
    expect(settings.seeding).toBe(false);
  });

  it('Quit stops the node before the app exits', async () => {
    const started = await launch();
    const node = started.host.node!;
    trayItem('quit').click!();
    await waitFor(() => app.quitted, 'the app to quit');
    expect(started.host.node).toBeNull();
    expect(() => node.store.listVideos()).toThrow(/closed/);
    expect(Tray.instances[0]!.destroyed).toBe(true);
  });
});

describe('closing the window', () => {
  it('keeps seeding from the tray by default', async () => {
    const started = await launch();
    const window = onlyWindow();
    window.close();
    expect(window.isDestroyed()).toBe(false);
    expect(window.isVisible()).toBe(false);
    expect(app.quitCalls).toBe(0);
    expect(started.host.node).not.toBeNull();
    expect(await strangerGets(fixture!.port)).toBe('served');
    trayItem('open').click!();
    expect(window.isVisible()).toBe(true);
    window.close();
    app.emit('activate');
    expect(window.isVisible()).toBe(true);
  });

  it('quits when the user turned close-to-tray off', async () => {
    const started = await launch();
    const saved = (await ipcMain.invoke(IpcChannel.SaveSettings, fromPlayer(), {
      closeToTray: false,
    })) as SaveSettingsResult;
    expect(saved).toMatchObject({ ok: true, restarted: false });
    onlyWindow().close();
    await waitFor(() => app.quitted, 'the app to quit');
    expect(started.host.node).toBeNull();
  });
});

describe('settings through IPC', () => {
  it('reads, refuses bad values in words, and applies live changes without a restart', async () => {
    const started = await launch();
    const view = (await ipcMain.invoke(IpcChannel.GetSettings, fromPlayer())) as LoadedSettingsView;
    expect(view).toMatchObject({
      settings: { name: 'desk-test', port: fixture!.port },
      warnings: [],
      nodeProblem: null,
    });

    const bad = (await ipcMain.invoke(IpcChannel.SaveSettings, fromPlayer(), {
      port: 0,
      uploadLimitBytesPerSecond: -1,
    })) as SaveSettingsResult;
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems.port).toMatch(/1 to 65535/);

    const node = started.host.node!;
    const live = (await ipcMain.invoke(IpcChannel.SaveSettings, fromPlayer(), {
      uploadLimitBytesPerSecond: 2 * 2 ** 20,
      cacheSizeBytes: 500 * 2 ** 20,
      launchAtLogin: true,
    })) as SaveSettingsResult;
    expect(live).toMatchObject({ ok: true, restarted: false });
    expect(started.host.node).toBe(node);
    expect(node.store.capacityBytes).toBe(500 * 2 ** 20);
    expect(app.loginItemSettings.at(-1)).toEqual({ openAtLogin: true, args: ['--tray'] });

    const renamed = (await ipcMain.invoke(IpcChannel.SaveSettings, fromPlayer(), {
      name: 'desk-renamed',
    })) as SaveSettingsResult;
    expect(renamed).toMatchObject({ ok: true, restarted: true });
    expect(started.host.node).not.toBe(node);
    expect(started.host.node!.config.name).toBe('desk-renamed');
    expect(started.host.node!.config.uploadBytesPerSecond).toBe(2 * 2 ** 20);
  });

  it('launch at login is off by default', async () => {
    await launch();
    expect(app.loginItemSettings).toEqual([{ openAtLogin: false, args: ['--tray'] }]);
  });

  it('clears the cache on request and ignores other windows', async () => {
    await launch();
    const cleared = (await ipcMain.invoke(IpcChannel.ClearCache, fromPlayer())) as { bytesFreed: number };
    // The source's own videos are pinned; clearing frees only cached chunks.
    expect(cleared).toEqual({ bytesFreed: 0 });
    const other = new BrowserWindow();
    await other.loadURL('peerstreamer://app/index.html');
    await expect(
      ipcMain.invoke(IpcChannel.ClearCache, {
        sender: other.webContents,
        senderFrame: other.webContents.mainFrame,
      }),
    ).rejects.toThrow('Request refused.');
  });
});

describe('adding videos', () => {
  it('File > Add video… ingests the picked file with a progress bar and a renderer notification', async () => {
    const started = await launch();
    const { copyFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const clip = path.join(fixture!.dir, 'holiday.mp4');
    await copyFile(fixture!.paths.sampleVideo, clip);
    const { dialog } = await import('../mocks/electron.js');
    dialog.nextOpenResult = { canceled: false, filePaths: [clip] };

    Menu.applicationMenu!.getMenuItemById('add-video')!.click!();
    await waitFor(
      () => started.host.node!.store.listVideos().some((video) => video.name === 'holiday'),
      'the video to be ingested',
    );
    const window = onlyWindow();
    await waitFor(() => window.progress.at(-1)?.value === -1, 'the progress bar to clear');
    expect(window.progress.some((entry) => entry.value >= 0 && entry.value <= 1)).toBe(true);
    const notes = window.webContents.sent.filter((message) => message.channel === IpcChannel.IngestProgress);
    expect(notes.at(-1)!.args[0]).toMatchObject({ name: 'holiday', state: 'done', fraction: 1 });
  });

  it('files dropped on the window arrive by IPC and are ingested; a failure is reported, not thrown', async () => {
    const started = await launch();
    const path = await import('node:path');
    const { copyFile, writeFile } = await import('node:fs/promises');
    const good = path.join(fixture!.dir, 'dropped.mp4');
    const bad = path.join(fixture!.dir, 'notes.mp4');
    await copyFile(fixture!.paths.sampleVideo, good);
    await writeFile(bad, 'this is not a video');
    const queued = await ipcMain.invoke(IpcChannel.AddVideos, fromPlayer(), { paths: [bad, good] });
    expect(queued).toEqual({ queued: 2 });
    await waitFor(
      () => started.host.node!.store.listVideos().some((video) => video.name === 'dropped'),
      'the drop',
    );
    const notes = onlyWindow()
      .webContents.sent.filter((message) => message.channel === IpcChannel.IngestProgress)
      .map((message) => message.args[0] as { name: string; state: string; message?: string });
    const failed = notes.find((note) => note.name === 'notes' && note.state === 'failed');
    expect(failed?.message).toBeTruthy();
  });
});
