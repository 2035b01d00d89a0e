/**
 * electron-updater's updater set up the way UpdateService drives it: it never downloads on its own
 * (the service decides when nobody is watching), and it talks to our log. Which updater class fits
 * this install is electron-updater's own choice (platform-updater.ts); tests build one of a given
 * class over the fake electron and hand it here.
 */
import electronUpdater, { type AppUpdater, type Logger as UpdaterLogger } from 'electron-updater';
import type { Logger } from '../../core/util/logger.js';

export function configureUpdater(engine: AppUpdater, logger: Logger): AppUpdater {
  engine.autoDownload = false;
  // deb, rpm and pacman install through pkexec/sudo: a password prompt as the app quits would be a
  // surprise, so those install only when the user chooses "restart to install".
  const { DebUpdater, RpmUpdater, PacmanUpdater } = electronUpdater;
  const packageManager =
    engine instanceof DebUpdater || engine instanceof RpmUpdater || engine instanceof PacmanUpdater;
  engine.autoInstallOnAppQuit = !packageManager;
  // We publish full installers only; web installers would skip the publisher check.
  engine.disableWebInstaller = true;
  engine.logger = updaterLog(logger);
  return engine;
}

/**
 * electron-updater narrates every step at info, and says each failure twice (a warning, then the
 * stack at error). The service logs each outcome once itself, in words, at info or warn (every
 * failure reaches it as a rejected promise), so the engine's own lines are kept at debug, where
 * they are still there to read (PEERSTREAMER_LOG_LEVEL=debug).
 */
function updaterLog(logger: Logger): UpdaterLogger {
  const child = logger.child({ component: 'electron-updater' });
  const debug = (message?: unknown): void => child.debug(String(message));
  return { info: debug, debug, warn: debug, error: debug };
}
