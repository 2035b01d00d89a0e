/**
 * Electron security checklist items that are not window options: permissions, external links and
 * navigation. Every decision defaults to "no".
 */
import { shell, type Session, type WebContents } from 'electron';
import { isAppUrl } from './app-identity.js';

/**
 * Only the player page may go fullscreen (video.js's button) and write text to the clipboard on a
 * click (Copy link: Chromium asks `clipboard-sanitized-write` for navigator.clipboard.writeText);
 * everything else is refused, reading the clipboard included (a paste event needs no permission).
 */
const GRANTED_TO_APP = new Set(['fullscreen', 'clipboard-sanitized-write']);

export function denyPermissions(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>,
): void {
  session.setPermissionRequestHandler((webContents, permission, callback) => {
    callback(GRANTED_TO_APP.has(permission) && isAppUrl(webContents.getURL()));
  });
  session.setPermissionCheckHandler((webContents, permission) => {
    return GRANTED_TO_APP.has(permission) && webContents !== null && isAppUrl(webContents.getURL());
  });
}

/**
 * Opens a link in the user's browser only when it parses as http(s); file:, javascript:, custom
 * schemes and garbage are refused (they could launch programs). Returns whether it was opened.
 */
export async function openExternalSafely(raw: string): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  await shell.openExternal(url.href);
  return true;
}

/**
 * Applied to every WebContents the app creates: no navigation away from the loaded page (hash
 * routes are in-page and do not navigate), no new windows (http(s) links go to the browser), no
 * <webview>.
 */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    void openExternalSafely(url);
    return { action: 'deny' };
  });
}
