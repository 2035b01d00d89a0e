/**
 * Auto-update end to end below the window: UpdateService driving electron-updater's real updaters
 * (over the fake electron's app) against a real HTTP feed on 127.0.0.1 with real files. Found,
 * downloaded and verified by sha512; a wrong sha512, broken metadata, a missing file or no server at
 * all are logged and retried, never shown; nothing is downloaded or offered while a video plays or
 * is being added.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetElectronFake } from '../../mocks/electron.js';
import type { UpdateStatus } from '../../../electron/ipc/contract.js';
import {
  CHECK_EVERY_MS,
  FIRST_CHECK_AFTER_MS,
  RETRY_AFTER_MS,
  UpdateService,
} from '../../../electron/update/update-service.js';
import { lacks, requires } from '../../helpers/requirements.js';
import {
  CACHE_DIR_NAME,
  ERROR,
  ManualScheduler,
  WARN,
  installedUpdater,
  recordingLogger,
  type InstalledUpdater,
  type InstallerKind,
  type LogRecord,
} from './fixtures.js';
import { waitFor } from '../../helpers/wait.js';
import {
  UpdateFeed,
  channelFile,
  channelFileFor,
  sha512Base64,
  type Artifact,
  type Release,
} from './update-feed.js';

vi.mock('electron', () => import('../../mocks/electron.js'));

const noAppImage = lacks(requires.appImageUpdates);

/** Installers of a made-up 0.2.0: real bytes, different for each, a few hundred kilobytes. */
function artifacts(version = '0.2.0'): Artifact[] {
  const bytes = (seed: number) =>
    Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * seed + 7) % 251));
  return [
    { name: `PeerStreamer-Setup-${version}.exe`, bytes: bytes(3) },
    { name: `peerstreamer_${version}_amd64.deb`, bytes: bytes(5) },
    { name: `PeerStreamer-${version}.AppImage`, bytes: bytes(11) },
  ];
}

const FILE_OF: Record<Exclude<InstallerKind, 'rpm'>, (release: Release) => Artifact> = {
  nsis: (release) => release.artifacts.find((a) => a.name.endsWith('.exe'))!,
  deb: (release) => release.artifacts.find((a) => a.name.endsWith('.deb'))!,
  appimage: (release) => release.artifacts.find((a) => a.name.endsWith('.AppImage'))!,
};

let feed: UpdateFeed;
let installed: InstalledUpdater | null = null;
let service: UpdateService | null = null;
let scheduler: ManualScheduler;
let statuses: UpdateStatus[];
let records: LogRecord[];

beforeEach(async () => {
  feed = await UpdateFeed.start();
  scheduler = new ManualScheduler();
  statuses = [];
});

afterEach(async () => {
  service?.stop();
  service = null;
  installed?.cleanup();
  installed = null;
  await feed.close();
  vi.unstubAllEnvs();
  resetElectronFake();
});

function serviceFor(
  kind: InstallerKind,
  options: { enabled?: boolean; provider?: 'generic' | 'github' } = {},
) {
  const recorder = recordingLogger();
  records = recorder.records;
  installed = installedUpdater(kind, feed, recorder.logger, options.provider);
  if (kind === 'appimage') {
    // The AppImage runtime names the running image, which the updater replaces.
    const running = path.join(installed.dir, 'PeerStreamer-0.1.0.AppImage');
    writeFileSync(running, 'the AppImage now running');
    vi.stubEnv('APPIMAGE', running);
  }
  service = new UpdateService({
    engine: installed.engine,
    enabled: options.enabled ?? true,
    logger: recorder.logger,
    scheduler,
    onStatus: (status) => statuses.push(status),
  });
  return service;
}

const state = () => statuses.at(-1)?.state;
const warnings = () => records.filter((record) => record.level === WARN).map((record) => record.msg);
const errors = () => records.filter((record) => record.level >= ERROR);

describe.each(['nsis', 'deb', 'appimage'] as const)('the %s updater against a local feed', (kind) => {
  it('finds 0.2.0, downloads it, checks its sha512, and offers it; then checks again daily', async ({
    skip,
  }) => {
    skip(kind === 'appimage' && noAppImage);
    const release: Release = { version: '0.2.0', artifacts: artifacts() };
    feed.publish(release);
    const updates = serviceFor(kind);
    updates.start();
    expect(statuses).toEqual([{ state: 'idle', version: null }]);
    expect(scheduler.pending).toEqual([FIRST_CHECK_AFTER_MS]);

    scheduler.fire();
    await waitFor(() => state() === 'ready', 'the update to be ready');
    expect(statuses.map((status) => status.state)).toEqual(['idle', 'checking', 'downloading', 'ready']);
    expect(updates.status).toEqual({ state: 'ready', version: '0.2.0' });

    // The channel file this OS reads, then exactly the one installer for this kind, once.
    const file = FILE_OF[kind](release);
    expect(feed.requests).toContain(`/${channelFileFor(process.platform, process.arch)}`);
    expect(feed.downloadsOf(file.name)).toBe(1);
    const others = release.artifacts.filter((artifact) => artifact !== file);
    for (const other of others) expect(feed.downloadsOf(other.name)).toBe(0);
    // What waits to be installed is byte for byte what was published.
    expect(installed!.pendingFiles()).toEqual([file.name]);
    const pending = path.join(installed!.dir, 'cache', CACHE_DIR_NAME, 'pending', file.name);
    expect(sha512Base64(readFileSync(pending))).toBe(sha512Base64(file.bytes));
    expect(records.map((record) => record.msg)).toContain(
      'update 0.2.0 downloaded and verified (sha512); it installs on restart',
    );
    expect(scheduler.pending).toEqual([CHECK_EVERY_MS]);
    expect(errors()).toEqual([]);
  });
});

describe('what is not an update', () => {
  it('the version already running: nothing downloaded, next check in a day', async () => {
    feed.publish({ version: '0.1.0', artifacts: artifacts('0.1.0') });
    serviceFor('deb').start();
    scheduler.fire();
    await waitFor(() => scheduler.pending.length === 1, 'the next check to be planned');
    expect(state()).toBe('idle');
    expect(scheduler.pending).toEqual([CHECK_EVERY_MS]);
    expect(feed.requests).toEqual([`/${channelFileFor(process.platform, process.arch)}`]);
    expect(records.map((record) => record.msg)).toContain('the app is up to date');
  });
});

describe('bad input: logged, retried later, never offered', () => {
  async function failOnce(kind: InstallerKind = 'deb'): Promise<string> {
    serviceFor(kind).start();
    scheduler.fire();
    await waitFor(() => warnings().length === 1, 'the failure to be logged');
    await waitFor(() => scheduler.pending.length === 1, 'the retry to be planned');
    expect(statuses.map((status) => status.state)).not.toContain('ready');
    expect(state()).toBe('idle');
    expect(errors()).toEqual([]);
    return warnings()[0]!;
  }

  it('a wrong sha512 is refused, with a message that says so, and nothing is left to install', async () => {
    const release: Release = {
      version: '0.2.0',
      artifacts: artifacts(),
      sha512: sha512Base64(Buffer.from('other')),
    };
    feed.publish(release);
    const message = await failOnce();
    expect(message).toMatch(
      /^Update 0\.2\.0 was refused: the downloaded file does not match the sha512 the release's update metadata \(latest\*\.yml\) gives for it \(sha512 checksum mismatch, expected .+, got .+\)\. It was corrupted on the way, or the release's files do not match its metadata\. Nothing was installed\. Trying again in 5 minutes\.$/,
    );
    expect(feed.downloadsOf(FILE_OF.deb(release).name)).toBe(1);
    expect(installed!.pendingFiles()).toEqual([]);
    expect(scheduler.pending).toEqual([RETRY_AFTER_MS[0]]);
  });

  it('the same wrong sha512 for the Windows installer is refused too', async () => {
    feed.publish({ version: '0.2.0', artifacts: artifacts(), sha512: sha512Base64(Buffer.from('other')) });
    expect(await failOnce('nsis')).toMatch(/^Update 0\.2\.0 was refused: the downloaded file does not match/);
    expect(installed!.pendingFiles()).toEqual([]);
  });

  it('a latest.yml that is not YAML', async () => {
    feed.publish({
      version: '0.2.0',
      artifacts: artifacts(),
      rawChannelFile: 'version: [0.2.0\nfiles: {{{\n',
    });
    expect(await failOnce()).toMatch(
      /^The release's update metadata could not be used \(Cannot parse update info from latest.*\.yml .*\)\. Trying again in 5 minutes\.$/,
    );
    expect(feed.requests.filter((request) => !request.endsWith('.yml'))).toEqual([]);
  });

  it('a latest.yml without a version, with one that is not a version, or without files', async () => {
    const listed = channelFile({ version: '0.2.0', artifacts: artifacts() });
    feed.publish({ version: '0.2.0', artifacts: artifacts(), rawChannelFile: 'releaseDate: yesterday\n' });
    expect(await failOnce()).toMatch(
      /^The release's update metadata could not be used \(.*does not have a valid semver version: "undefined"\)\. Trying again in 5 minutes\.$/,
    );
    feed.publish({
      version: '0.2.0',
      artifacts: artifacts(),
      rawChannelFile: listed.replace('version: 0.2.0', 'version: soon'),
    });
    scheduler.fire();
    await waitFor(() => warnings().length === 2, 'the second failure');
    expect(warnings()[1]).toMatch(/valid semver version: "soon"\)\. Trying again in 15 minutes\.$/);
    feed.publish({ version: '0.2.0', artifacts: artifacts(), rawChannelFile: 'version: 0.2.0\n' });
    scheduler.fire();
    await waitFor(() => warnings().length === 3, 'the third failure');
    // This check itself succeeded (0.2.0 is newer); the file list is read only to download, so the
    // pauses start over.
    expect(warnings()[2]).toMatch(
      /^The release's update metadata could not be used \(No files provided: .*\)\. Trying again in 5 minutes\.$/,
    );
    expect(feed.requests.filter((request) => !request.endsWith('.yml'))).toEqual([]);
    expect(statuses.map((status) => status.state)).not.toContain('ready');
  });

  it('an installer the metadata lists but the release lacks (404)', async () => {
    const release: Release = {
      version: '0.2.0',
      artifacts: artifacts(),
      missing: ['peerstreamer_0.2.0_amd64.deb'],
    };
    feed.publish(release);
    expect(await failOnce()).toMatch(
      /^Update 0\.2\.0's file is missing from the release \(Cannot download "http:\/\/127\.0\.0\.1\/peerstreamer_0\.2\.0_amd64\.deb", status 404: Not Found\)\. Trying again in 5 minutes\.$/,
    );
    expect(installed!.pendingFiles()).toEqual([]);
  });

  it('no server: a quiet retry with growing pauses, then daily, until it answers', async () => {
    const release: Release = { version: '0.2.0', artifacts: artifacts() };
    serviceFor('deb').start();
    await feed.close();
    scheduler.fire();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= RETRY_AFTER_MS.length + 1; attempt++) {
      await waitFor(() => warnings().length === attempt, `failure ${attempt}`);
      await waitFor(() => scheduler.pending.length === 1, `retry ${attempt} to be planned`);
      delays.push(scheduler.pending[0]!);
      if (attempt <= RETRY_AFTER_MS.length) scheduler.fire();
    }
    expect(delays).toEqual([...RETRY_AFTER_MS, CHECK_EVERY_MS]);
    expect(warnings()[0]).toMatch(
      /^The update server cannot be reached \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)\. Trying again in 5 minutes\.$/,
    );
    expect(warnings().at(-1)).toMatch(/Trying again in 24 hours\.$/);
    expect(new Set(statuses.map((status) => status.state))).toEqual(new Set(['idle', 'checking']));
    expect(errors()).toEqual([]);

    // The server comes back on the same port: the next check finds the update.
    feed = await UpdateFeed.startOn(feed.port);
    feed.publish(release);
    scheduler.fire();
    await waitFor(() => state() === 'ready', 'the update once the server is back');
    expect(scheduler.pending).toEqual([CHECK_EVERY_MS]);
  });
});

describe('never while the user is watching or adding a video', () => {
  const release = (): Release => ({ version: '0.2.0', artifacts: artifacts() });
  const deb = (r: Release) => FILE_OF.deb(r).name;

  it('a video playing at check time: checked, not downloaded until it stops', async () => {
    const published = release();
    feed.publish(published);
    const updates = serviceFor('deb');
    updates.start();
    updates.setActivity({ watching: true });
    scheduler.fire();
    await waitFor(() => state() === 'waiting', 'the update to wait');
    expect(updates.status).toEqual({ state: 'waiting', version: '0.2.0' });
    expect(feed.downloadsOf(deb(published))).toBe(0);

    updates.setActivity({ watching: false });
    await waitFor(() => state() === 'ready', 'the update after the video stopped');
    expect(feed.downloadsOf(deb(published))).toBe(1);
  });

  it('a video starting mid-download: the download stops, and starts again when the video does', async () => {
    const published = release();
    feed.publish(published);
    const halfway = feed.holdHalfway(deb(published));
    const updates = serviceFor('deb');
    updates.start();
    scheduler.fire();
    await halfway.reached;
    expect(state()).toBe('downloading');

    updates.setActivity({ watching: true });
    await waitFor(() => state() === 'waiting', 'the download to stop');
    await waitFor(
      () => records.some((record) => record.msg.startsWith('download of update 0.2.0 paused')),
      'the pause to be logged',
    );
    halfway.release();
    expect(installed!.pendingFiles()).toEqual([]);
    expect(warnings()).toEqual([]);

    updates.setActivity({ watching: false });
    await waitFor(() => state() === 'ready', 'the update after the video');
    expect(feed.downloadsOf(deb(published))).toBe(2);
    expect(installed!.pendingFiles()).toEqual([deb(published)]);
  });

  it('a video started and stopped before the paused download gave up: the download starts again', async () => {
    const published = release();
    feed.publish(published);
    const halfway = feed.holdHalfway(deb(published));
    const updates = serviceFor('deb');
    updates.start();
    scheduler.fire();
    await halfway.reached;

    // Both in the same turn: the cancelled download has not rejected yet when watching stops.
    updates.setActivity({ watching: true });
    updates.setActivity({ watching: false });
    halfway.release();
    await waitFor(() => state() === 'ready', 'the download to start again and finish');
    expect(feed.downloadsOf(deb(published))).toBe(2);
    expect(installed!.pendingFiles()).toEqual([deb(published)]);
    expect(warnings()).toEqual([]);
  });

  it('downloaded while a video is being added: held back, and neither shown nor installed until it is in', async () => {
    feed.publish(release());
    const updates = serviceFor('deb');
    const quitAndInstall = vi.spyOn(installed!.engine, 'quitAndInstall').mockImplementation(() => undefined);
    updates.start();
    scheduler.fire();
    await waitFor(() => state() === 'ready', 'the update');

    updates.setActivity({ ingesting: true });
    expect(state()).toBe('waiting');
    expect(updates.install()).toEqual({
      ok: false,
      message: 'A video is being added; restart to install once it is done.',
    });
    updates.setActivity({ ingesting: false, watching: true });
    expect(updates.install()).toEqual({
      ok: false,
      message: 'A video is playing; restart to install once it is stopped.',
    });
    expect(quitAndInstall).not.toHaveBeenCalled();

    updates.setActivity({ watching: false });
    expect(state()).toBe('ready');
    expect(updates.install()).toEqual({ ok: true });
    // Silent (the user said yes) and the new version started afterwards.
    expect(quitAndInstall).toHaveBeenCalledWith(true, true);
  });
});

describe('the setting', () => {
  it('off: no check at all, and nothing installs on quit', () => {
    feed.publish({ version: '0.2.0', artifacts: artifacts() });
    const updates = serviceFor('nsis', { enabled: false });
    updates.start();
    expect(statuses).toEqual([{ state: 'off', version: null }]);
    expect(scheduler.pending).toEqual([]);
    expect(installed!.engine.autoInstallOnAppQuit).toBe(false);
    expect(updates.install()).toEqual({ ok: false, message: 'No update has been downloaded yet.' });
  });

  it('turned on: a check soon after; turned off mid-download: the download stops', async () => {
    const published: Release = { version: '0.2.0', artifacts: artifacts() };
    feed.publish(published);
    const halfway = feed.holdHalfway(FILE_OF.nsis(published).name);
    const updates = serviceFor('nsis', { enabled: false });
    updates.start();
    updates.setEnabled(true);
    expect(installed!.engine.autoInstallOnAppQuit).toBe(true);
    expect(scheduler.pending).toEqual([FIRST_CHECK_AFTER_MS]);
    scheduler.fire();
    await halfway.reached;

    updates.setEnabled(false);
    expect(state()).toBe('off');
    await waitFor(
      () =>
        records.some(
          (record) =>
            record.msg ===
            'download of update 0.2.0 stopped: updates were turned off, or the app is quitting',
        ),
      'the download to stop',
    );
    halfway.release();
    expect(scheduler.pending).toEqual([]);
    expect(installed!.engine.autoInstallOnAppQuit).toBe(false);
    expect(installed!.pendingFiles()).toEqual([]);
  });

  it('a deb never installs on quit (pkexec would ask for a password as the app closes)', () => {
    serviceFor('deb');
    expect(installed!.engine.autoInstallOnAppQuit).toBe(false);
  });

  it('no updater here (a development run): unsupported, and nothing scheduled', () => {
    const recorder = recordingLogger();
    const updates = new UpdateService({
      engine: null,
      enabled: true,
      logger: recorder.logger,
      scheduler,
      onStatus: (status) => statuses.push(status),
    });
    updates.start();
    expect(statuses).toEqual([{ state: 'unsupported', version: null }]);
    expect(scheduler.pending).toEqual([]);
    expect(updates.install()).toEqual({ ok: false, message: 'No update has been downloaded yet.' });
  });
});

describe('GitHub Releases, as the release workflow publishes them', () => {
  it('reads the releases feed and the tag’s latest*.yml, and downloads from the tag', async () => {
    const published: Release = { version: '0.2.0', artifacts: artifacts() };
    feed.publish(published);
    serviceFor('deb', { provider: 'github' }).start();
    scheduler.fire();
    await waitFor(() => state() === 'ready', 'the update from GitHub');
    expect(feed.requests).toEqual([
      '/peer/streamer/releases.atom',
      '/api/v3/repos/peer/streamer/releases/latest',
      `/peer/streamer/releases/download/v0.2.0/${channelFileFor(process.platform, process.arch)}`,
      `/peer/streamer/releases/download/v0.2.0/${FILE_OF.deb(published).name}`,
    ]);
  });
});
