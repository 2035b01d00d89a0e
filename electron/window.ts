/** The player window: options from Electron's security checklist, loaded from our own scheme. */
import { BrowserWindow, type BrowserWindowConstructorOptions } from 'electron';
import { PLAYER_URL } from './app-identity.js';
import { hardenWebContents } from './security.js';

export interface PlayerWindowOptions {
  preloadPath: string;
  iconPath?: string;
}

export function playerWindowOptions(options: PlayerWindowOptions): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 640,
    minHeight: 480,
    title: 'PeerStreamer',
    backgroundColor: '#0d1117',
    // Shown on 'ready-to-show', so the user never sees an empty white frame.
    show: false,
    ...(options.iconPath !== undefined ? { icon: options.iconPath } : {}),
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

export function createPlayerWindow(options: PlayerWindowOptions): BrowserWindow {
  const window = new BrowserWindow(playerWindowOptions(options));
  hardenWebContents(window.webContents);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(PLAYER_URL);
  return window;
}
