/**
 * Electron's entry point. `--node` runs the headless node (the CLI's flags), `--help` prints usage,
 * anything else starts the desktop app (`--tray`: hidden in the tray).
 */
import { createRequire } from 'node:module';
import { app } from 'electron';
import { createLogger } from '../core/util/logger.js';
import { appPaths, mediaToolsEnv } from './app-paths.js';
import { DesktopApp, beforeReady } from './desktop-app.js';
import { APP_HELP, runHeadless } from './headless.js';
import { parseLaunchArgs, userArgs } from './launch-args.js';

const launch = parseLaunchArgs(userArgs(process.argv, app.isPackaged));

if (app.isPackaged) {
  const require = createRequire(import.meta.url);
  const resolveInstalled = (pkg: string): string | null => {
    try {
      const installed = require(pkg) as { path?: unknown };
      return typeof installed.path === 'string' ? installed.path : null;
    } catch {
      return null;
    }
  };
  Object.assign(process.env, mediaToolsEnv(resolveInstalled, process.env));
}

if (launch.mode === 'help') {
  process.stdout.write(`${APP_HELP}\n`);
  app.exit(0);
} else if (launch.mode === 'node') {
  // No window and no tray: nothing waits for 'ready' except Electron itself.
  app.dock?.hide();
  const io = {
    stdout: (text: string) => process.stdout.write(text),
    stderr: (text: string) => process.stderr.write(text),
  };
  void runHeadless(launch.nodeArgs, io).then((code) => app.exit(code));
} else {
  beforeReady();
  const logger = createLogger({ name: 'desktop' });
  const paths = appPaths(app.getAppPath(), app.getPath('userData'), process.platform);
  DesktopApp.launch({ paths, startInTray: launch.tray, logger }).catch((error: unknown) => {
    logger.fatal({ err: error }, 'the app could not start');
    app.exit(1);
  });
}
