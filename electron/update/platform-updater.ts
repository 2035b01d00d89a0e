/**
 * The updater for the running app, or null where it cannot update itself: a development run (no
 * app-update.yml: electron-builder writes it only into packaged apps), or a copy that came from no
 * installer electron-updater knows (an unpacked build, a tarball).
 */
import { app } from 'electron';
import electronUpdater, { type AppUpdater } from 'electron-updater';
import type { Logger } from '../../core/util/logger.js';
import { configureUpdater } from './updater-engine.js';

export function platformUpdater(logger: Logger): AppUpdater | null {
  if (!app.isPackaged) return null;
  try {
    // electron-updater's own pick: NSIS on Windows, the zip on a Mac; on Linux the package manager
    // that resources/package-type names (deb, rpm, pacman), else the AppImage updater.
    const engine = configureUpdater(electronUpdater.autoUpdater, logger);
    // That AppImage updater is also what a Linux copy from no installer gets; without $APPIMAGE
    // (set by the AppImage runtime) it knows it cannot update this copy.
    return engine.isUpdaterActive() ? engine : null;
  } catch (error) {
    // Updates are a convenience: an updater that cannot start must not stop the app.
    logger.warn({ err: error }, 'the updater could not start; updates are off for this run');
    return null;
  }
}
