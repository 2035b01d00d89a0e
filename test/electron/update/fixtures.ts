/**
 * What the update tests share: electron-updater's real updaters over the fake electron's `app`
 * (through electron-updater's own ElectronAppAdapter) with a temporary resources/app-update.yml,
 * user data and cache, set up by our configureUpdater; a log that keeps its records; and a scheduler
 * the test fires by hand.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ElectronAppAdapter } from 'electron-updater/out/ElectronAppAdapter.js';
import electronUpdater, { type AppUpdater } from 'electron-updater';
import { pino, type Logger } from 'pino';
import { app } from '../../mocks/electron.js';
import type { Scheduler } from '../../../electron/update/scheduler.js';
import { configureUpdater } from '../../../electron/update/updater-engine.js';
import { NodeHttpExecutor } from './node-http.js';
import { GITHUB_OWNER, GITHUB_REPO, type UpdateFeed } from './update-feed.js';

export const CACHE_DIR_NAME = 'peerstreamer-updater';

/** ElectronAppAdapter over the fake app, with the packaged app's paths moved into a temp folder. */
class InstalledApp extends ElectronAppAdapter {
  constructor(private readonly root: string) {
    super(app as never);
  }
  override get appUpdateConfigPath(): string {
    return path.join(this.root, 'resources', 'app-update.yml');
  }
  override get userDataPath(): string {
    return path.join(this.root, 'user-data');
  }
  override get baseCachePath(): string {
    return path.join(this.root, 'cache');
  }
}

/**
 * The installers whose updaters run here. In the app electron-updater picks the class itself
 * (platform-updater.ts); a test names the installer it stands in for. The Mac updater needs
 * Electron's own autoUpdater (Squirrel.Mac), which the fake does not have.
 */
export type InstallerKind = 'nsis' | 'appimage' | 'deb' | 'rpm';

const UPDATER_OF = {
  nsis: electronUpdater.NsisUpdater,
  appimage: electronUpdater.AppImageUpdater,
  deb: electronUpdater.DebUpdater,
  rpm: electronUpdater.RpmUpdater,
} satisfies Record<InstallerKind, unknown>;

export interface InstalledUpdater {
  dir: string;
  engine: AppUpdater;
  http: NodeHttpExecutor;
  /** Files of a downloaded update, waiting to be installed. */
  pendingFiles(): string[];
  cleanup(): void;
}

/**
 * An installed app of `kind` at version app.version whose app-update.yml (as electron-builder writes
 * it) points at `feed`: a plain feed, or GitHub's layout as the release workflow publishes to.
 */
export function installedUpdater(
  kind: InstallerKind,
  feed: UpdateFeed,
  logger: Logger,
  provider: 'generic' | 'github' = 'generic',
): InstalledUpdater {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ps-update-'));
  mkdirSync(path.join(dir, 'resources'));
  const config =
    provider === 'generic'
      ? [`provider: generic`, `url: ${feed.url}`]
      : [
          'provider: github',
          `owner: ${GITHUB_OWNER}`,
          `repo: ${GITHUB_REPO}`,
          `host: 127.0.0.1:${feed.port}`,
          'protocol: http',
        ];
  writeFileSync(
    path.join(dir, 'resources', 'app-update.yml'),
    [...config, `updaterCacheDirName: ${CACHE_DIR_NAME}`, ''].join('\n'),
  );
  app.isPackaged = true;
  const http = new NodeHttpExecutor();
  const engine = configureUpdater(new UPDATER_OF[kind](undefined, new InstalledApp(dir)), logger);
  // Given an app adapter, electron-updater leaves its HTTP client unset (Electron's `net` is not
  // here); its own tests set this internal property by name the same way.
  Object.assign(engine, { httpExecutor: http });
  const pending = path.join(dir, 'cache', CACHE_DIR_NAME, 'pending');
  return {
    dir,
    engine,
    http,
    pendingFiles: () => {
      try {
        // Not its bookkeeping, nor a temp-* file a cancelled download may leave (the next one clears it).
        return readdirSync(pending).filter(
          (name) => name !== 'update-info.json' && !name.startsWith('temp-'),
        );
      } catch {
        return [];
      }
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface LogRecord {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export const WARN = 40;
export const ERROR = 50;

export function recordingLogger(): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) records.push(JSON.parse(line));
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), records };
}

/** Later work, run only when the test says: "a day later" happens at once. */
export class ManualScheduler implements Scheduler {
  private tasks: Array<{ ms: number; task: () => void; live: boolean }> = [];

  after(ms: number, task: () => void): () => void {
    const entry = { ms, task, live: true };
    this.tasks.push(entry);
    return () => {
      entry.live = false;
    };
  }

  /** The delays of the work still waiting. */
  get pending(): number[] {
    return this.tasks.filter((entry) => entry.live).map((entry) => entry.ms);
  }

  /** Runs the one waiting task (as its time would have come). */
  fire(): void {
    const live = this.tasks.filter((entry) => entry.live);
    if (live.length !== 1) throw new Error(`expected one scheduled task, found ${live.length}`);
    live[0]!.live = false;
    live[0]!.task();
  }
}
