/**
 * electron-updater's updater for an installer kind, set up the way UpdateService drives it: it never
 * downloads on its own (the service decides when nobody is watching), and it talks to our log.
 *
 * In the app it uses Electron's `app` and `net` (electron-updater's defaults, which follow the
 * system's proxy settings). Tests pass an app adapter over the fake electron and a Node HTTP client,
 * since electron-updater reaches for `require('electron').net` itself.
 */
import electronUpdater, { type AppUpdater, type Logger as UpdaterLogger } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';
import type { HttpExecutor } from 'builder-util-runtime';
import type { ClientRequest } from 'node:http';
import type { Logger } from '../../core/util/logger.js';
import type { InstallerKind } from './installer-kind.js';

export interface EngineOverrides {
  app: AppAdapter;
  /** An HTTP client over Node's http, where Electron's `net` is not there. */
  http: HttpExecutor<ClientRequest>;
}

export function updaterClass(kind: InstallerKind) {
  const { NsisUpdater, MacUpdater, AppImageUpdater, DebUpdater } = electronUpdater;
  return { nsis: NsisUpdater, mac: MacUpdater, appimage: AppImageUpdater, deb: DebUpdater }[kind];
}

export function createUpdaterEngine(
  kind: InstallerKind,
  logger: Logger,
  overrides?: EngineOverrides,
): AppUpdater {
  const Updater = updaterClass(kind);
  const engine = overrides ? new Updater(undefined, overrides.app) : new Updater();
  // Given an app adapter, electron-updater leaves its HTTP client unset (its own tests set it the
  // same way); the property is internal, hence the assignment by name.
  if (overrides) Object.assign(engine, { httpExecutor: overrides.http });
  engine.autoDownload = false;
  // A deb installs through pkexec/sudo: a password prompt as the app quits would be a surprise, so a
  // deb installs only when the user chooses "restart to install".
  engine.autoInstallOnAppQuit = kind !== 'deb';
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
