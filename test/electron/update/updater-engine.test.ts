/**
 * How configureUpdater sets up electron-updater's real updaters (over the fake electron's app, with
 * an app-update.yml of their own): the service downloads, not the engine; a Linux package manager
 * (pkexec) installs only when the user restarts for it; the engine's own lines go to our log at debug.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetElectronFake } from '../../mocks/electron.js';
import { installedUpdater, recordingLogger, type InstalledUpdater, type InstallerKind } from './fixtures.js';
import { UpdateFeed } from './update-feed.js';

vi.mock('electron', () => import('../../mocks/electron.js'));

let feed: UpdateFeed | null = null;
let installed: InstalledUpdater | null = null;

afterEach(async () => {
  installed?.cleanup();
  installed = null;
  await feed?.close();
  feed = null;
  resetElectronFake();
});

async function configured(kind: InstallerKind) {
  feed = await UpdateFeed.start();
  const recorder = recordingLogger();
  installed = installedUpdater(kind, feed, recorder.logger);
  return { engine: installed.engine, records: recorder.records };
}

describe('configureUpdater', () => {
  it.each([
    ['nsis', true],
    ['appimage', true],
    ['deb', false],
    ['rpm', false],
  ] as const)('%s: downloads only when asked; installs on quit: %s', async (kind, onQuit) => {
    const { engine } = await configured(kind);
    expect(engine.autoDownload).toBe(false);
    expect(engine.autoInstallOnAppQuit).toBe(onQuit);
    expect(engine.disableWebInstaller).toBe(true);
  });

  it('keeps electron-updater’s own narration at debug, under its name', async () => {
    const { engine, records } = await configured('deb');
    engine.logger!.warn('APPIMAGE env is not defined');
    engine.logger!.error('a stack');
    expect(records.map(({ level, msg, component }) => ({ level, msg, component }))).toEqual([
      { level: 20, msg: 'APPIMAGE env is not defined', component: 'electron-updater' },
      { level: 20, msg: 'a stack', component: 'electron-updater' },
    ]);
  });
});
