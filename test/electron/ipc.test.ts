import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, ipcMain, resetElectronFake, type FakeFrame } from '../mocks/electron.js';
import { silentLogger } from '../../core/util/logger.js';

vi.mock('electron', () => import('../mocks/electron.js'));

const { IpcManager } = await import('../../electron/ipc/ipc-manager.js');
const { IpcChannel } = await import('../../electron/ipc/channels.js');
const { INVOKE_SCHEMAS, PayloadError } = await import('../../electron/ipc/schemas.js');

describe('IpcManager', () => {
  let player: BrowserWindow;
  let manager: InstanceType<typeof IpcManager>;
  const calls: unknown[] = [];

  beforeEach(async () => {
    player = new BrowserWindow();
    await player.loadURL('peerstreamer://app/index.html');
    manager = new IpcManager(ipcMain as never, () => player.webContents as never, silentLogger());
    manager.handle(IpcChannel.AddVideos, (payload) => {
      calls.push(payload);
      return { queued: payload.paths.length };
    });
    manager.handle(IpcChannel.GetSettings, () => 'settings');
  });
  afterEach(() => {
    calls.length = 0;
    resetElectronFake();
  });

  const fromPlayer = () => ({ sender: player.webContents, senderFrame: player.webContents.mainFrame });

  it('runs the handler for our window’s main frame with a valid payload', async () => {
    expect(await ipcMain.invoke(IpcChannel.AddVideos, fromPlayer(), { paths: ['/videos/a.mp4'] })).toEqual({
      queued: 1,
    });
    expect(await ipcMain.invoke(IpcChannel.GetSettings, fromPlayer())).toBe('settings');
    expect(calls).toEqual([{ paths: ['/videos/a.mp4'] }]);
  });

  it('drops messages from unknown senders without running the handler', async () => {
    const other = new BrowserWindow();
    await other.loadURL('peerstreamer://app/index.html');
    const iframe: FakeFrame = { url: 'peerstreamer://app/index.html', parent: player.webContents.mainFrame };
    const strangers = [
      // another window, even one showing our origin
      { sender: other.webContents, senderFrame: other.webContents.mainFrame },
      // an iframe inside our window
      { sender: player.webContents, senderFrame: iframe },
      // our window after something navigated it elsewhere
      { sender: player.webContents, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: player.webContents, senderFrame: { url: 'file:///tmp/x.html', parent: null } },
      { sender: player.webContents, senderFrame: { url: 'peerstreamer://evil/index.html', parent: null } },
      // a frame already gone
      { sender: player.webContents, senderFrame: null },
    ];
    for (const event of strangers) {
      await expect(ipcMain.invoke(IpcChannel.AddVideos, event, { paths: ['/videos/a.mp4'] })).rejects.toThrow(
        'Request refused.',
      );
    }
    expect(calls).toEqual([]);
    expect(manager.droppedFromUnknownSenders).toBe(strangers.length);
  });

  it('drops everything when no player window exists', async () => {
    const orphan = new IpcManager(
      { handle: () => undefined, removeHandler: () => undefined } as never,
      () => null,
      silentLogger(),
    );
    expect(orphan.isTrusted(fromPlayer() as never)).toBe(false);
  });

  it('rejects payloads that fail the channel’s schema, naming what was expected', async () => {
    const bad: unknown[] = [
      undefined,
      null,
      'just a string',
      { paths: [] },
      { paths: 'x.mp4' },
      { paths: ['relative/x.mp4'] },
      { paths: ['/ok.mp4', 42] },
      { paths: ['/nul\0.mp4'] },
      { paths: ['/' + 'a'.repeat(5000)] },
      { paths: Array.from({ length: 51 }, (_, i) => `/v/${i}.mp4`) },
      { paths: ['/ok.mp4'], extra: true },
    ];
    for (const payload of bad) {
      await expect(ipcMain.invoke(IpcChannel.AddVideos, fromPlayer(), payload)).rejects.toBeInstanceOf(
        PayloadError,
      );
    }
    await expect(ipcMain.invoke(IpcChannel.GetSettings, fromPlayer(), { sneaky: 1 })).rejects.toThrow(
      /no payload/,
    );
    await expect(
      ipcMain.invoke(IpcChannel.AddVideos, fromPlayer(), { paths: ['/a.mp4'] }, 'second'),
    ).rejects.toThrow(/at most one argument/);
    expect(calls).toEqual([]);
    expect(manager.rejectedPayloads).toBe(bad.length + 2);
  });

  it('removes its handlers on dispose', () => {
    manager.dispose();
    expect(ipcMain.handlers.size).toBe(0);
  });
});

describe('schemas', () => {
  it('settings: only known fields, only plain values; the words come from core/settings', () => {
    const schema = INVOKE_SCHEMAS[IpcChannel.SaveSettings];
    expect(schema({ port: 7000, master: null, closeToTray: false, name: 'x' })).toEqual({
      port: 7000,
      master: null,
      closeToTray: false,
      name: 'x',
    });
    expect(() => schema({ admin: true })).toThrow(/unexpected field\(s\) admin/);
    expect(() => schema({ port: { valueOf: 1 } })).toThrow(/"port" must be text, a number/);
    expect(() => schema({ port: Number.NaN })).toThrow(PayloadError);
    expect(() => schema({ name: 'x'.repeat(301) })).toThrow(PayloadError);
    expect(() => schema([1])).toThrow(/expected an object/);
  });

  it('open link: a bounded string only', () => {
    const schema = INVOKE_SCHEMAS[IpcChannel.OpenExternal];
    expect(schema({ url: 'https://example.org' })).toEqual({ url: 'https://example.org' });
    expect(() => schema({ url: 5 })).toThrow(PayloadError);
    expect(() => schema({ url: 'h'.repeat(3000) })).toThrow(PayloadError);
  });

  it('every invoke channel has a schema', () => {
    // The main -> renderer channels are sent, never invoked.
    const sent: string[] = [IpcChannel.IngestProgress, IpcChannel.UpdateStatus];
    const invokeChannels = Object.values(IpcChannel).filter((channel) => !sent.includes(channel));
    expect(Object.keys(INVOKE_SCHEMAS).sort()).toEqual([...invokeChannels].sort());
  });
});
