/**
 * File > Go live… in the desktop app, with the fake `electron` module: the item is in the menu, it
 * shows the window (from the tray too) and routes the page to the go-live dialog through the
 * ShowPage channel, kept until the page listens (a window it just opened, a reload). The dialog
 * itself, and going live through the node, run for real in test/renderer/go-live.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, Menu, ipcMain, resetElectronFake } from '../mocks/electron.js';
import type { DesktopApp as DesktopAppInstance } from '../../electron/desktop-app.js';
import { desktopFixture, quietLogger, type DesktopFixture } from './fixtures/desktop.js';

vi.mock('electron', () => import('../mocks/electron.js'));

const { DesktopApp } = await import('../../electron/desktop-app.js');
const { IpcChannel } = await import('../../electron/ipc/channels.js');
const { appMenuTemplate } = await import('../../electron/app-menu.js');

let fixture: DesktopFixture | null = null;
let desktop: DesktopAppInstance | null = null;

afterEach(async () => {
  await desktop?.shutdown();
  desktop = null;
  resetElectronFake();
  await fixture?.cleanup();
  fixture = null;
});

async function launch(startInTray: boolean): Promise<DesktopAppInstance> {
  fixture = await desktopFixture();
  const launched = await DesktopApp.launch({ paths: fixture.paths, startInTray, logger: quietLogger() });
  if (launched === null) throw new Error('launch handed over to another instance');
  desktop = launched;
  return launched;
}

const windows = (): BrowserWindow[] => BrowserWindow.getAllWindows();
const fromPlayer = () => {
  const contents = windows()[0]!.webContents;
  return { sender: contents, senderFrame: contents.mainFrame };
};
const takePages = async (): Promise<unknown> => ipcMain.invoke(IpcChannel.TakePages, fromPlayer());
const pagesSent = (): unknown[] =>
  windows()[0]!
    .webContents.sent.filter((message) => message.channel === IpcChannel.ShowPage)
    .map((message) => message.args[0]);
const clickGoLive = (): void => Menu.applicationMenu!.getMenuItemById('go-live')!.click!();

describe('File > Go live…', () => {
  it('sits in the File menu after Add video…, on every platform', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const actions = { addVideo: vi.fn(), goLive: vi.fn(), openPlayer: vi.fn(), quit: vi.fn() };
      const file = appMenuTemplate(actions, platform).find((menu) => menu.label === 'File')!;
      const items = file.submenu as Array<{ id?: string; label?: string; click?: () => void }>;
      expect(items.map((item) => item.id)).toEqual(expect.arrayContaining(['add-video', 'go-live']));
      const goLive = items.find((item) => item.id === 'go-live')!;
      expect(goLive.label).toBe('Go live…');
      goLive.click!();
      expect(actions.goLive).toHaveBeenCalledTimes(1);
      expect(actions.addVideo).not.toHaveBeenCalled();
    }
  });

  it('from the tray: opens the window, and the page it loads takes the dialog when it listens', async () => {
    await launch(true);
    expect(windows()).toHaveLength(0);
    clickGoLive();
    expect(windows()).toHaveLength(1);
    await vi.waitFor(() => expect(windows()[0]!.isVisible()).toBe(true));
    // The page has not said it listens: nothing is sent into the void.
    expect(pagesSent()).toEqual([]);
    expect(await takePages()).toEqual(['go-live']);
    expect(await takePages()).toEqual([]);
  });

  it('with the page open: brings a hidden window back and routes it at once', async () => {
    await launch(false);
    expect(await takePages()).toEqual([]);
    const window = windows()[0]!;
    window.hide();
    clickGoLive();
    expect(window.isVisible()).toBe(true);
    expect(window.focused).toBe(true);
    expect(pagesSent()).toEqual(['go-live']);
    expect(windows()).toHaveLength(1);
  });

  it('keeps the ask while the page reloads, once however often it was clicked', async () => {
    await launch(false);
    await takePages();
    windows()[0]!.webContents.startNavigation('peerstreamer://app/index.html', { isSameDocument: false });
    clickGoLive();
    clickGoLive();
    expect(pagesSent()).toEqual([]);
    expect(await takePages()).toEqual(['go-live']);
  });

  it('answers TakePages only to the player window', async () => {
    await launch(false);
    const other = new BrowserWindow();
    await other.loadURL('https://evil.example/');
    await expect(
      ipcMain.invoke(IpcChannel.TakePages, {
        sender: other.webContents,
        senderFrame: other.webContents.mainFrame,
      }),
    ).rejects.toThrow('Request refused.');
    await expect(ipcMain.invoke(IpcChannel.TakePages, fromPlayer(), { page: 'x' })).rejects.toThrow(
      'This request takes no payload.',
    );
  });
});
