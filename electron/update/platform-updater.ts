/**
 * The updater for the running app, or null where it cannot update itself: a development run (no
 * app-update.yml: electron-builder writes it only into packaged apps), or a copy that came from no
 * installer electron-updater knows (an unpacked build, a tarball).
 */
import { app } from 'electron';
import type { AppUpdater } from 'electron-updater';
import type { Logger } from '../../core/util/logger.js';
import { installerKind, readPackageType } from './installer-kind.js';
import { createUpdaterEngine } from './updater-engine.js';

export function platformUpdater(logger: Logger): AppUpdater | null {
  if (!app.isPackaged) return null;
  const kind = installerKind(process.platform, {
    appImage: process.env.APPIMAGE,
    packageType: readPackageType(process.resourcesPath),
  });
  if (kind === null) return null;
  try {
    return createUpdaterEngine(kind, logger);
  } catch (error) {
    // Updates are a convenience: an updater that cannot start must not stop the app.
    logger.warn({ err: error, kind }, 'the updater could not start; updates are off for this run');
    return null;
  }
}
