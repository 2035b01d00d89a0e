import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { contextBridge, ipcRenderer } from '../mocks/electron.js';
import type { DesktopBridge, IngestProgress, UpdateStatus } from '../../electron/ipc/contract.js';

vi.mock('electron', () => import('../mocks/electron.js'));

/** The preload adds DOM listeners at load; a bare event target stands in for the page's window. */
class FakeDomEvent {
  defaultPrevented = false;
  constructor(
    readonly dataTransfer: { types: string[]; files: Array<{ name: string; path?: string }> } | null,
  ) {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}
const fakeWindow = new EventEmitter();
vi.stubGlobal('window', {
  addEventListener: (type: string, listener: (event: FakeDomEvent) => void) => fakeWindow.on(type, listener),
});

// A computed specifier: the preload is DOM code, type-checked by tsconfig.electron.json (DOM lib);
// tsconfig.json (Node only) covers test/ and must not follow this import.
const PRELOAD = '../../electron/preload.js';
await import(/* @vite-ignore */ PRELOAD);
const { IpcChannel } = await import('../../electron/ipc/channels.js');

const bridge = contextBridge.exposed.get('peerstreamer') as DesktopBridge;

describe('preload bridge', () => {
  it('exposes exactly the contract under window.peerstreamer', () => {
    expect(Object.keys(bridge).sort()).toEqual(
      [
        'clearCache',
        'getSettings',
        'onIngestProgress',
        'openExternal',
        'pickVideos',
        'saveSettings',
        'getUpdateStatus',
        'onUpdateStatus',
        'installUpdate',
        'reportWatching',
        'joinLink',
        'onOpenLink',
        'onShowPage',
      ].sort(),
    );
  });

  it('maps each function to its one channel', async () => {
    ipcRenderer.invoked = [];
    await bridge.getSettings();
    await bridge.saveSettings({ port: 7001 });
    await bridge.clearCache();
    await bridge.pickVideos();
    await bridge.openExternal('https://example.org');
    await bridge.getUpdateStatus();
    await bridge.installUpdate();
    await bridge.reportWatching(true);
    await bridge.joinLink('peerstreamer://k/v');
    expect(ipcRenderer.invoked).toEqual([
      { channel: IpcChannel.GetSettings, args: [] },
      { channel: IpcChannel.SaveSettings, args: [{ port: 7001 }] },
      { channel: IpcChannel.ClearCache, args: [] },
      { channel: IpcChannel.PickVideos, args: [] },
      { channel: IpcChannel.OpenExternal, args: [{ url: 'https://example.org' }] },
      { channel: IpcChannel.GetUpdateStatus, args: [] },
      { channel: IpcChannel.InstallUpdate, args: [] },
      { channel: IpcChannel.ReportWatching, args: [{ watching: true }] },
      { channel: IpcChannel.JoinLink, args: [{ link: 'peerstreamer://k/v' }] },
    ]);
  });

  it('hands over the links that waited for the page first, then each new one, and unsubscribes', async () => {
    ipcRenderer.invoked = [];
    ipcRenderer.invokeResult = ['peerstreamer://waited/v', 42];
    const seen: unknown[][] = [];
    const off = bridge.onOpenLink((...args) => seen.push(args));
    expect(ipcRenderer.invoked).toEqual([{ channel: IpcChannel.TakeLinks, args: [] }]);
    await Promise.resolve();
    await Promise.resolve();
    ipcRenderer.emit(IpcChannel.OpenLink, { sender: ipcRenderer }, 'peerstreamer://new/v');
    off();
    ipcRenderer.emit(IpcChannel.OpenLink, { sender: ipcRenderer }, 'peerstreamer://late/v');
    // What is not text (42) never reaches the page.
    expect(seen).toEqual([['peerstreamer://waited/v'], ['peerstreamer://new/v']]);
    ipcRenderer.invokeResult = undefined;
  });

  it('hands over the pages asked for before the page listened, then each new one, known pages only', async () => {
    ipcRenderer.invoked = [];
    ipcRenderer.invokeResult = ['go-live', 'settings', 7];
    const seen: unknown[][] = [];
    const off = bridge.onShowPage((...args) => seen.push(args));
    expect(ipcRenderer.invoked).toEqual([{ channel: IpcChannel.TakePages, args: [] }]);
    await Promise.resolve();
    await Promise.resolve();
    ipcRenderer.emit(IpcChannel.ShowPage, { sender: ipcRenderer }, 'go-live');
    ipcRenderer.emit(IpcChannel.ShowPage, { sender: ipcRenderer }, 'javascript:alert(1)');
    off();
    ipcRenderer.emit(IpcChannel.ShowPage, { sender: ipcRenderer }, 'go-live');
    // Only the contract's pages reach the page; the rest is dropped, whatever the main process sent.
    expect(seen).toEqual([['go-live'], ['go-live']]);
    ipcRenderer.invokeResult = undefined;
  });

  it('passes ingest progress on without the IPC event, and unsubscribes', () => {
    const seen: unknown[][] = [];
    const off = bridge.onIngestProgress((...args) => seen.push(args));
    const progress: IngestProgress = { file: '/v/a.mp4', name: 'a', state: 'running', fraction: 0.5 };
    ipcRenderer.emit(IpcChannel.IngestProgress, { sender: ipcRenderer }, progress);
    off();
    ipcRenderer.emit(IpcChannel.IngestProgress, { sender: ipcRenderer }, progress);
    expect(seen).toEqual([[progress]]);
  });

  it('passes update statuses on without the IPC event, and unsubscribes', () => {
    const seen: unknown[][] = [];
    const off = bridge.onUpdateStatus((...args) => seen.push(args));
    const status: UpdateStatus = { state: 'ready', version: '0.2.0' };
    ipcRenderer.emit(IpcChannel.UpdateStatus, { sender: ipcRenderer }, status);
    off();
    ipcRenderer.emit(IpcChannel.UpdateStatus, { sender: ipcRenderer }, status);
    expect(seen).toEqual([[status]]);
  });

  it('turns files dropped on the window into one AddVideos request with their paths', () => {
    ipcRenderer.invoked = [];
    const over = new FakeDomEvent({ types: ['Files'], files: [] });
    fakeWindow.emit('dragover', over);
    expect(over.defaultPrevented).toBe(true);
    const drop = new FakeDomEvent({
      types: ['Files'],
      files: [
        { name: 'a.mp4', path: '/home/u/a.mp4' },
        { name: 'b.mkv', path: '/home/u/b.mkv' },
      ],
    });
    fakeWindow.emit('drop', drop);
    expect(drop.defaultPrevented).toBe(true);
    expect(ipcRenderer.invoked).toEqual([
      { channel: IpcChannel.AddVideos, args: [{ paths: ['/home/u/a.mp4', '/home/u/b.mkv'] }] },
    ]);
  });

  it('leaves drags of text and links to the page', () => {
    ipcRenderer.invoked = [];
    const over = new FakeDomEvent({ types: ['text/plain'], files: [] });
    fakeWindow.emit('dragover', over);
    fakeWindow.emit('drop', new FakeDomEvent({ types: ['text/plain'], files: [] }));
    expect(over.defaultPrevented).toBe(false);
    expect(ipcRenderer.invoked).toEqual([]);
  });
});
