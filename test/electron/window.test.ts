import { afterEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, resetElectronFake, session, shell, type FakeWebContents } from '../mocks/electron.js';

vi.mock('electron', () => import('../mocks/electron.js'));

const { createPlayerWindow, playerWindowOptions } = await import('../../electron/window.js');
const { denyPermissions, hardenWebContents, openExternalSafely } = await import('../../electron/security.js');
const { PLAYER_URL } = await import('../../electron/app-identity.js');

afterEach(() => resetElectronFake());

describe('player window', () => {
  it('isolates the page: context isolation, sandbox, our preload, no Node anywhere', () => {
    const options = playerWindowOptions({ preloadPath: '/app/dist/electron/preload.cjs' });
    expect(options.webPreferences).toMatchObject({
      preload: '/app/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(options.show).toBe(false);
  });

  it('loads the player from our own scheme and shows it when ready', async () => {
    const window = createPlayerWindow({ preloadPath: '/p.cjs' }) as unknown as BrowserWindow;
    expect(window.webContents.getURL()).toBe(PLAYER_URL);
    expect(window.isVisible()).toBe(false);
    await Promise.resolve();
    expect(window.isVisible()).toBe(true);
  });

  it('denies every navigation, including to our own origin and to file:', () => {
    const window = createPlayerWindow({ preloadPath: '/p.cjs' }) as unknown as BrowserWindow;
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'peerstreamer://app/other.html']) {
      expect(window.webContents.tryNavigate(url)).toBe(false);
    }
  });

  it('denies new windows; only http(s) links go to the browser', async () => {
    const window = createPlayerWindow({ preloadPath: '/p.cjs' }) as unknown as BrowserWindow;
    const contents: FakeWebContents = window.webContents;
    for (const url of [
      'https://example.org/docs',
      'http://example.org/',
      'file:///bin/sh',
      'javascript:alert(1)',
      'smb://host/share',
      'not a url',
    ]) {
      expect(contents.tryOpenWindow(url)).toBe('deny');
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(shell.opened).toEqual(['https://example.org/docs', 'http://example.org/']);
  });

  it('hardens web contents the app did not create itself (web-contents-created)', () => {
    const contents = new BrowserWindow().webContents;
    hardenWebContents(contents as never);
    expect(contents.tryNavigate('https://evil.example/')).toBe(false);
    expect(contents.tryOpenWindow('https://example.org/')).toBe('deny');
  });
});

describe('openExternalSafely', () => {
  it('parses the URL and opens only http and https', async () => {
    expect(await openExternalSafely('https://example.org/a b')).toBe(true);
    expect(await openExternalSafely('HTTP://EXAMPLE.org')).toBe(true);
    expect(await openExternalSafely('file:///etc/passwd')).toBe(false);
    expect(await openExternalSafely('ms-msdt:/id PCWDiagnostic')).toBe(false);
    expect(await openExternalSafely('//example.org')).toBe(false);
    expect(shell.opened).toEqual(['https://example.org/a%20b', 'http://example.org/']);
  });
});

describe('permissions', () => {
  const contentsAt = (url: string): FakeWebContents => {
    const contents = new BrowserWindow().webContents;
    contents.url = url;
    return contents;
  };

  it('denies requests by default, and grants only fullscreen and clipboard writes to the player page', async () => {
    denyPermissions(session.defaultSession as never);
    const handler = session.defaultSession.permissionRequestHandler!;
    const ask = (url: string, permission: string) =>
      new Promise<boolean>((resolve) => handler(contentsAt(url), permission, resolve));
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'hid',
    ]) {
      expect(await ask(PLAYER_URL, permission)).toBe(false);
    }
    expect(await ask(PLAYER_URL, 'fullscreen')).toBe(true);
    expect(await ask('https://evil.example/', 'fullscreen')).toBe(false);
    // Copy link writes the link on a click; no other page may, and none may read the clipboard.
    expect(await ask(PLAYER_URL, 'clipboard-sanitized-write')).toBe(true);
    expect(await ask('https://evil.example/', 'clipboard-sanitized-write')).toBe(false);
    const check = session.defaultSession.permissionCheckHandler!;
    expect(check(contentsAt(PLAYER_URL), 'media')).toBe(false);
    expect(check(null, 'fullscreen')).toBe(false);
    expect(check(contentsAt(PLAYER_URL), 'fullscreen')).toBe(true);
  });
});
