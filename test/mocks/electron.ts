/**
 * A fake `electron` module for the shell's tests (the Electron binary cannot be downloaded here).
 * It keeps the parts of Electron's behaviour the shell relies on - window close/closed and
 * window-all-closed, quit with a preventable will-quit, IPC handler registration - and records every
 * call so tests can assert on it. Tests use it with `vi.mock('electron', () => import('../mocks/electron.js'))`
 * and call `resetElectronFake()` between cases.
 */
import { EventEmitter } from 'node:events';

/** A preventable event, as Electron passes to 'close', 'will-navigate', 'will-quit'... */
export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  url = '';
  readonly mainFrame: FakeFrame = { url: '', parent: null };
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  getURL(): string {
    return this.url;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  /** What Electron does when the page tries to navigate: emits will-navigate; true if allowed. */
  tryNavigate(url: string): boolean {
    const event = new FakeEvent();
    this.emit('will-navigate', event, url);
    return !event.defaultPrevented;
  }
  /** What Electron emits as the page starts a navigation: a reload, or (same document) a hash change. */
  startNavigation(url: string, options: { isSameDocument: boolean }): void {
    this.emit('did-start-navigation', {
      url,
      isSameDocument: options.isSameDocument,
      isMainFrame: true,
      frame: this.mainFrame,
    });
  }
  /** What Electron emits when the page's renderer process crashes or is killed. */
  crash(): void {
    this.emit('render-process-gone', new FakeEvent(), { reason: 'crashed', exitCode: 139 });
  }
  /** What Electron does on window.open / target=_blank. */
  tryOpenWindow(url: string): 'allow' | 'deny' {
    return this.windowOpenHandler?.({ url }).action ?? 'allow';
  }
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.instances.filter((window) => !window.destroyed);
  }

  readonly webContents = new FakeWebContents();
  visible: boolean;
  focused = false;
  minimized = false;
  destroyed = false;
  readonly progress: Array<{ value: number; options?: unknown }> = [];

  constructor(readonly options: Record<string, unknown> = {}) {
    super();
    this.visible = options.show !== false;
    BrowserWindow.instances.push(this);
    app.emit('browser-window-created', new FakeEvent(), this);
    app.emit('web-contents-created', new FakeEvent(), this.webContents);
  }
  async loadURL(url: string): Promise<void> {
    this.webContents.url = url;
    this.webContents.mainFrame.url = url;
    queueMicrotask(() => this.emit('ready-to-show'));
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
    this.focused = false;
  }
  focus(): void {
    this.focused = true;
  }
  restore(): void {
    this.minimized = false;
  }
  minimize(): void {
    this.minimized = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setProgressBar(value: number, options?: unknown): void {
    this.progress.push({ value, options });
  }
  /** Like Electron: 'close' may be prevented; otherwise the window goes and, if last, window-all-closed. */
  close(): void {
    if (this.destroyed) return;
    const event = new FakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.emit('closed');
    if (BrowserWindow.getAllWindows().length === 0) app.emit('window-all-closed');
  }
}

class FakeApp extends EventEmitter {
  isPackaged = false;
  /** Whether requestSingleInstanceLock succeeds (false = another instance holds it). */
  lockAvailable = true;
  paths: Record<string, string> = { userData: '/tmp/peerstreamer-fake-userdata' };
  appPath = process.cwd();
  quitCalls = 0;
  exitCodes: number[] = [];
  loginItemSettings: unknown[] = [];
  /** Resolves once the last quit went through (will-quit not prevented). */
  quitted = false;
  /** What app.getVersion() answers (package.json's version in Electron); electron-updater compares it. */
  version = '0.1.0';
  relaunchCalls = 0;
  /** Every setAsDefaultProtocolClient call, as made. */
  protocolClients: Array<{ scheme: string; path?: string; args?: string[] }> = [];

  setAsDefaultProtocolClient(scheme: string, path?: string, args?: string[]): boolean {
    this.protocolClients.push({ scheme, ...(path !== undefined ? { path } : {}), ...(args ? { args } : {}) });
    return true;
  }
  requestSingleInstanceLock(): boolean {
    return this.lockAvailable;
  }
  async whenReady(): Promise<void> {}
  isReady(): boolean {
    return true;
  }
  getPath(name: string): string {
    const value = this.paths[name];
    if (value === undefined) throw new Error(`fake app has no path "${name}"`);
    return value;
  }
  getAppPath(): string {
    return this.appPath;
  }
  getVersion(): string {
    return this.version;
  }
  getName(): string {
    return 'PeerStreamer';
  }
  relaunch(): void {
    this.relaunchCalls += 1;
  }
  quit(): void {
    this.quitCalls += 1;
    const before = new FakeEvent();
    this.emit('before-quit', before);
    if (before.defaultPrevented) return;
    const will = new FakeEvent();
    this.emit('will-quit', will);
    if (will.defaultPrevented) return;
    this.quitted = true;
    this.emit('quit');
  }
  exit(code = 0): void {
    this.exitCodes.push(code);
    // A bundled main.js run as a plain Node process (main-entry.test.ts) needs app.exit to end it.
    if (process.env.FAKE_ELECTRON_REAL_EXIT === '1') process.exit(code);
  }
  setLoginItemSettings(settings: unknown): void {
    this.loginItemSettings.push(settings);
  }
  dock: undefined = undefined;
}

export const app = new FakeApp();

export class Tray extends EventEmitter {
  static instances: Tray[] = [];
  tooltip = '';
  menu: Menu | null = null;
  destroyed = false;
  constructor(readonly image: unknown) {
    super();
    Tray.instances.push(this);
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: Menu): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export interface FakeMenuItem {
  id?: string;
  label?: string;
  role?: string;
  type?: string;
  enabled?: boolean;
  submenu?: FakeMenuItem[];
  click?: () => void;
}

export class Menu {
  static applicationMenu: Menu | null = null;
  constructor(readonly items: FakeMenuItem[]) {}
  static buildFromTemplate(template: FakeMenuItem[]): Menu {
    return new Menu(template);
  }
  static setApplicationMenu(menu: Menu | null): void {
    Menu.applicationMenu = menu;
  }
  /** Depth-first, like Menu.getMenuItemById. */
  getMenuItemById(id: string): FakeMenuItem | null {
    const search = (items: FakeMenuItem[]): FakeMenuItem | null => {
      for (const item of items) {
        if (item.id === id) return item;
        const inner = item.submenu ? search(item.submenu) : null;
        if (inner) return inner;
      }
      return null;
    };
    return search(this.items);
  }
}

export const nativeImage = {
  createFromPath: (path: string) => ({ path }),
};

type ProtocolHandler = (request: Request) => Response | Promise<Response>;

export const protocol = {
  privileged: [] as unknown[],
  handlers: new Map<string, ProtocolHandler>(),
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    this.privileged.push(...schemes);
  },
  handle(scheme: string, handler: ProtocolHandler): void {
    this.handlers.set(scheme, handler);
  },
  unhandle(scheme: string): void {
    this.handlers.delete(scheme);
  },
};

type PermissionRequestHandler = (
  contents: FakeWebContents,
  permission: string,
  callback: (granted: boolean) => void,
) => void;
type PermissionCheckHandler = (contents: FakeWebContents | null, permission: string) => boolean;

export const session = {
  defaultSession: {
    permissionRequestHandler: null as PermissionRequestHandler | null,
    permissionCheckHandler: null as PermissionCheckHandler | null,
    setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
      this.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
      this.permissionCheckHandler = handler;
    },
  },
};

type InvokeListener = (event: unknown, ...args: unknown[]) => unknown;

export const ipcMain = {
  handlers: new Map<string, InvokeListener>(),
  handle(channel: string, listener: InvokeListener): void {
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  },
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  },
  /** What ipcRenderer.invoke does on the main side: the handler's result or rejection. */
  async invoke(
    channel: string,
    event: { sender: unknown; senderFrame: FakeFrame | null },
    ...args: unknown[]
  ): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  },
};

export const shell = {
  opened: [] as string[],
  async openExternal(url: string): Promise<void> {
    this.opened.push(url);
  },
};

export const dialog = {
  nextOpenResult: { canceled: true, filePaths: [] as string[] },
  openCalls: [] as unknown[],
  async showOpenDialog(...args: unknown[]): Promise<{ canceled: boolean; filePaths: string[] }> {
    this.openCalls.push(args);
    return this.nextOpenResult;
  },
};

// ---- renderer side (preload) --------------------------------------------------------------------

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    this.exposed.set(key, api);
  },
};

export const ipcRenderer = Object.assign(new EventEmitter(), {
  invoked: [] as Array<{ channel: string; args: unknown[] }>,
  invokeResult: undefined as unknown,
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    ipcRenderer.invoked.push({ channel, args });
    return ipcRenderer.invokeResult;
  },
});

export const webUtils = {
  getPathForFile: (file: { path?: string; name: string }) => file.path ?? `/dropped/${file.name}`,
};

/** Back to a fresh Electron between tests. */
export function resetElectronFake(): void {
  for (const emitter of [app, ipcRenderer] as EventEmitter[]) emitter.removeAllListeners();
  app.isPackaged = false;
  app.lockAvailable = true;
  app.paths = { userData: '/tmp/peerstreamer-fake-userdata' };
  app.quitCalls = 0;
  app.exitCodes = [];
  app.loginItemSettings = [];
  app.quitted = false;
  app.version = '0.1.0';
  app.relaunchCalls = 0;
  app.protocolClients = [];
  BrowserWindow.instances = [];
  Tray.instances = [];
  Menu.applicationMenu = null;
  protocol.privileged = [];
  protocol.handlers.clear();
  session.defaultSession.permissionRequestHandler = null;
  session.defaultSession.permissionCheckHandler = null;
  ipcMain.handlers.clear();
  shell.opened = [];
  dialog.nextOpenResult = { canceled: true, filePaths: [] };
  dialog.openCalls = [];
  contextBridge.exposed.clear();
  ipcRenderer.invoked = [];
  ipcRenderer.invokeResult = undefined;
}

export default {
  app,
  BrowserWindow,
  Tray,
  Menu,
  nativeImage,
  protocol,
  session,
  ipcMain,
  shell,
  dialog,
  contextBridge,
  ipcRenderer,
  webUtils,
};
