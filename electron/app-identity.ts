/**
 * The app's own origin. The UI is served through this custom scheme (no network port) and the IPC
 * manager trusts only frames showing it.
 */
export const APP_SCHEME = 'peerstreamer';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const PLAYER_URL = `${APP_ORIGIN}/index.html`;

/** True for URLs on our scheme and host; `URL.origin` is "null" for custom schemes, so compare parts. */
export function isAppUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
  } catch {
    return false;
  }
}
