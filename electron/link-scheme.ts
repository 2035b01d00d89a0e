/**
 * The OS side of `peerstreamer:` links: the app registers as the scheme's handler, and the OS hands
 * a clicked link over as a URL (macOS: `open-url`) or as a command-line argument (Windows, Linux: to
 * the first launch, or to the running instance through `second-instance`).
 */
import path from 'node:path';
import type { App } from 'electron';
import { LINK_SCHEME } from '../core/link/video-link.js';

/**
 * The link among a launch's arguments: the OS passes it whole, as one argument. No arguments at all
 * (a second-instance event some callers emit bare) is no link.
 */
export function linkFromArgv(argv: readonly string[] = []): string | null {
  return argv.find((arg) => arg.toLowerCase().startsWith(LINK_SCHEME)) ?? null;
}

/**
 * Makes this app the OS's handler for `peerstreamer:` links. Installers register the scheme too
 * (electron-builder's `protocols`); this covers portable builds and development, where Electron is
 * launched as `electron <app path>`, so the OS must be told to pass that path before the link.
 */
export function registerLinkScheme(
  app: Pick<App, 'setAsDefaultProtocolClient'>,
  defaultApp: boolean,
  argv: readonly string[],
): boolean {
  const scheme = LINK_SCHEME.slice(0, -1);
  const appPath = argv[1];
  if (defaultApp && appPath !== undefined)
    return app.setAsDefaultProtocolClient(scheme, process.execPath, [path.resolve(appPath)]);
  return app.setAsDefaultProtocolClient(scheme);
}
