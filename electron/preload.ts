/**
 * Runs sandboxed before the player page. It exposes the typed bridge and nothing else: the page
 * never sees ipcRenderer itself, only these functions, each bound to one channel.
 * Built to a single CommonJS file (sandboxed preloads cannot load other files).
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { IpcChannel } from './ipc/channels.js';
import {
  APP_PAGES,
  BRIDGE_KEY,
  type AppPage,
  type DesktopBridge,
  type IngestProgress,
  type UpdateStatus,
} from './ipc/contract.js';

const bridge: DesktopBridge = {
  getSettings: () => ipcRenderer.invoke(IpcChannel.GetSettings),
  saveSettings: (patch) => ipcRenderer.invoke(IpcChannel.SaveSettings, patch),
  clearCache: () => ipcRenderer.invoke(IpcChannel.ClearCache),
  pickVideos: () => ipcRenderer.invoke(IpcChannel.PickVideos),
  openExternal: (url) => ipcRenderer.invoke(IpcChannel.OpenExternal, { url }),
  onIngestProgress(listener) {
    // The event object is not passed on: it would hand the page a reference to ipcRenderer.
    const forward = (_event: IpcRendererEvent, progress: IngestProgress): void => listener(progress);
    ipcRenderer.on(IpcChannel.IngestProgress, forward);
    return () => ipcRenderer.removeListener(IpcChannel.IngestProgress, forward);
  },
  getUpdateStatus: () => ipcRenderer.invoke(IpcChannel.GetUpdateStatus),
  onUpdateStatus(listener) {
    const forward = (_event: IpcRendererEvent, status: UpdateStatus): void => listener(status);
    ipcRenderer.on(IpcChannel.UpdateStatus, forward);
    return () => ipcRenderer.removeListener(IpcChannel.UpdateStatus, forward);
  },
  installUpdate: () => ipcRenderer.invoke(IpcChannel.InstallUpdate),
  reportWatching: (watching) => ipcRenderer.invoke(IpcChannel.ReportWatching, { watching }),
  joinLink: (link) => ipcRenderer.invoke(IpcChannel.JoinLink, { link }),
  onOpenLink(listener) {
    const forward = (_event: IpcRendererEvent, link: string): void => listener(link);
    ipcRenderer.on(IpcChannel.OpenLink, forward);
    // Links that arrived before the page listened (the click that launched the app) come now.
    void ipcRenderer.invoke(IpcChannel.TakeLinks).then((waiting: unknown) => {
      if (Array.isArray(waiting)) for (const link of waiting) if (typeof link === 'string') listener(link);
    });
    return () => ipcRenderer.removeListener(IpcChannel.OpenLink, forward);
  },
  onShowPage(listener) {
    // Only the pages the contract names reach the page, whatever arrives on the channel.
    const isPage = (page: unknown): page is AppPage => (APP_PAGES as readonly unknown[]).includes(page);
    const forward = (_event: IpcRendererEvent, page: unknown): void => {
      if (isPage(page)) listener(page);
    };
    ipcRenderer.on(IpcChannel.ShowPage, forward);
    void ipcRenderer.invoke(IpcChannel.TakePages).then((waiting: unknown) => {
      if (Array.isArray(waiting)) for (const page of waiting) if (isPage(page)) listener(page);
    });
    return () => ipcRenderer.removeListener(IpcChannel.ShowPage, forward);
  },
};

contextBridge.exposeInMainWorld(BRIDGE_KEY, bridge);

/**
 * Drag-and-drop of video files anywhere on the window. File paths are only available here
 * (webUtils), not to the page, so the preload handles drops itself and sends the paths.
 */
function installDropTarget(): void {
  window.addEventListener('dragover', (event) => {
    if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
  });
  window.addEventListener('drop', (event) => {
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    const paths = files.map((file) => webUtils.getPathForFile(file)).filter((file) => file.length > 0);
    if (paths.length > 0) void ipcRenderer.invoke(IpcChannel.AddVideos, { paths });
  });
}

installDropTarget();
