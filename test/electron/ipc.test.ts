import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, ipcMain, resetElectronFake, type FakeFrame } from '../mocks/electron.js';
import { silentLogger } from '../../core/util/logger.js';

vi.mock('electron', () => import('../mocks/electron.js'));

const { IpcManager } = await import('../../electron/ipc/ipc-manager.js');
const { IpcChannel } = await import('../../electron/ipc/channels.js');
const { INVOKE_SCHEMAS, PayloadError, readPayload } = await import('../../electron/ipc/schemas.js');

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
  /** The payload as its handler gets it, or the PayloadError's words. */
  const read = (channel: keyof typeof INVOKE_SCHEMAS, payload: unknown): unknown => {
    try {
      return readPayload(channel, payload);
    } catch (error) {
      expect(error).toBeInstanceOf(PayloadError);
      return (error as Error).message;
    }
  };

  it('settings: only known fields, only plain values; the words come from core/settings', () => {
    const channel = IpcChannel.SaveSettings;
    expect(read(channel, { port: 7000, master: null, closeToTray: false, name: 'x' })).toEqual({
      port: 7000,
      master: null,
      closeToTray: false,
      name: 'x',
    });
    // Text the rules will word (a port typed as words, an over-long name) passes the shape check.
    expect(read(channel, { port: 'eighty', name: 'x'.repeat(300) })).toEqual({
      port: 'eighty',
      name: 'x'.repeat(300),
    });
    expect(read(channel, {})).toEqual({});
    expect(read(channel, { admin: true })).toBe('Settings: unexpected field(s) admin.');
    expect(read(channel, { admin: true, port: 1, root: 'x' })).toBe(
      'Settings: unexpected field(s) admin, root.',
    );
    // Keys a plain object inherits, or that valibot would skip, are fields like any other.
    expect(read(channel, { constructor: 1 })).toBe('Settings: unexpected field(s) constructor.');
    expect(read(channel, JSON.parse('{"__proto__": 1}'))).toBe('Settings: unexpected field(s) __proto__.');
    expect(read(channel, { port: { valueOf: 1 } })).toBe(
      'Settings: "port" must be text, a number, on/off or empty.',
    );
    for (const value of [Number.NaN, Infinity, -Infinity, undefined, [], 'x'.repeat(301)]) {
      expect(read(channel, { seeding: value })).toBe(
        'Settings: "seeding" must be text, a number, on/off or empty.',
      );
    }
    for (const payload of [[1], null, 'port', 7000, undefined]) {
      expect(read(channel, payload)).toBe('Settings: expected an object.');
    }
  });

  it('add videos: 1 to 50 absolute paths, each named when it is not one', () => {
    const channel = IpcChannel.AddVideos;
    expect(read(channel, { paths: ['/videos/a.mp4', '/b.webm'] })).toEqual({
      paths: ['/videos/a.mp4', '/b.webm'],
    });
    const count = 'Add videos: expected "paths", a list of 1 to 50 files.';
    for (const payload of [
      {},
      { paths: [] },
      { paths: 'x.mp4' },
      { paths: null },
      { paths: Array(51).fill('/a') },
    ]) {
      expect(read(channel, payload)).toBe(count);
    }
    expect(read(channel, { paths: ['/ok.mp4', 42] })).toBe('Add videos: 42 is not an absolute file path.');
    expect(read(channel, { paths: ['relative/x.mp4'] })).toBe(
      'Add videos: "relative/x.mp4" is not an absolute file path.',
    );
    expect(read(channel, { paths: [''] })).toBe('Add videos: "" is not an absolute file path.');
    expect(read(channel, { paths: ['/nul\0.mp4'] })).toBe(
      'Add videos: "/nul\\u0000.mp4" is not an absolute file path.',
    );
    expect(read(channel, { paths: ['/' + 'a'.repeat(4095)] })).toEqual({ paths: ['/' + 'a'.repeat(4095)] });
    expect(read(channel, { paths: ['/' + 'a'.repeat(4096)] })).toMatch(
      /^Add videos: "\/a+" is not an absolute/,
    );
    expect(read(channel, { paths: ['/ok.mp4'], extra: true })).toBe('Add videos: unexpected field(s) extra.');
    expect(read(channel, 'x.mp4')).toBe('Add videos: expected an object.');
  });

  it('open link: a bounded string only', () => {
    const channel = IpcChannel.OpenExternal;
    expect(read(channel, { url: 'https://example.org' })).toEqual({ url: 'https://example.org' });
    const words = 'Open link: expected "url", text of at most 2048 characters.';
    for (const payload of [{}, { url: 5 }, { url: '' }, { url: 'h'.repeat(2049) }]) {
      expect(read(channel, payload)).toBe(words);
    }
    expect(read(channel, { url: 'h'.repeat(2048) })).toEqual({ url: 'h'.repeat(2048) });
  });

  it('watching: true or false', () => {
    const channel = IpcChannel.ReportWatching;
    expect(read(channel, { watching: false })).toEqual({ watching: false });
    for (const payload of [{}, { watching: 'yes' }, { watching: undefined }]) {
      expect(read(channel, payload)).toBe('Watching: expected "watching", true or false.');
    }
    expect(read(channel, { watching: true, since: 1 })).toBe('Watching: unexpected field(s) since.');
  });

  it('channels without a payload take none', () => {
    expect(read(IpcChannel.InstallUpdate, undefined)).toBeUndefined();
    for (const payload of [null, {}, 0, '']) {
      expect(read(IpcChannel.InstallUpdate, payload)).toBe('This request takes no payload.');
    }
  });

  it('every invoke channel has a schema', () => {
    // The main -> renderer channels are sent, never invoked.
    const sent: string[] = [
      IpcChannel.IngestProgress,
      IpcChannel.UpdateStatus,
      IpcChannel.OpenLink,
      IpcChannel.ShowPage,
    ];
    const invokeChannels = Object.values(IpcChannel).filter((channel) => !sent.includes(channel));
    expect(Object.keys(INVOKE_SCHEMAS).sort()).toEqual([...invokeChannels].sort());
  });
});
