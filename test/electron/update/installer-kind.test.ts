/**
 * Which updater the installed app uses, for each platform and Linux package (platform injected), and
 * the failures' wording for the cases the feed tests cannot produce on demand.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import electronUpdater from 'electron-updater';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { installerKind, readPackageType } from '../../../electron/update/installer-kind.js';
import { describeUpdateError } from '../../../electron/update/update-errors.js';
import { updaterClass } from '../../../electron/update/updater-engine.js';

vi.mock('electron', () => import('../../mocks/electron.js'));

const resources = mkdtempSync(path.join(os.tmpdir(), 'ps-resources-'));
afterAll(() => rmSync(resources, { recursive: true, force: true }));

describe('installerKind', () => {
  const none = { appImage: undefined, packageType: null };

  it('Windows: the NSIS installer', () => {
    expect(installerKind('win32', none)).toBe('nsis');
  });

  it('macOS: the zip beside the DMG', () => {
    expect(installerKind('darwin', none)).toBe('mac');
  });

  it('Linux: an AppImage by $APPIMAGE, even when started from a deb’s folder', () => {
    expect(installerKind('linux', { appImage: '/home/u/PeerStreamer.AppImage', packageType: null })).toBe(
      'appimage',
    );
    expect(installerKind('linux', { appImage: '/home/u/PeerStreamer.AppImage', packageType: 'deb' })).toBe(
      'appimage',
    );
  });

  it('Linux: a deb by its package-type file', () => {
    expect(installerKind('linux', { appImage: undefined, packageType: 'deb' })).toBe('deb');
    expect(installerKind('linux', { appImage: '', packageType: 'deb' })).toBe('deb');
  });

  it('Linux from a tarball or an unpacked build, or another system: cannot update itself', () => {
    expect(installerKind('linux', none)).toBeNull();
    expect(installerKind('linux', { appImage: undefined, packageType: 'rpm' })).toBeNull();
    expect(installerKind('freebsd', none)).toBeNull();
  });

  it('each kind has its electron-updater class', () => {
    expect(updaterClass('nsis')).toBe(electronUpdater.NsisUpdater);
    expect(updaterClass('mac')).toBe(electronUpdater.MacUpdater);
    expect(updaterClass('appimage')).toBe(electronUpdater.AppImageUpdater);
    expect(updaterClass('deb')).toBe(electronUpdater.DebUpdater);
  });
});

describe('readPackageType', () => {
  it('reads resources/package-type, as electron-builder writes it into a deb', () => {
    writeFileSync(path.join(resources, 'package-type'), 'deb\n');
    expect(readPackageType(resources)).toBe('deb');
  });

  it('is null without the file, or outside Electron (no resourcesPath)', () => {
    expect(readPackageType(path.join(resources, 'nowhere'))).toBeNull();
    expect(readPackageType(undefined)).toBeNull();
  });
});

describe('describeUpdateError', () => {
  const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

  it('a server that does not answer in time', () => {
    expect(describeUpdateError(new Error('Request timed out'), null)).toBe(
      'The update server did not answer (Request timed out).',
    );
  });

  it('a release without metadata for this platform', () => {
    expect(
      describeUpdateError(
        coded(
          'Cannot find latest-linux.yml in the latest release artifacts',
          'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND',
        ),
        null,
      ),
    ).toBe(
      'The latest release has no update metadata for this platform (Cannot find latest-linux.yml in the latest release artifacts).',
    );
  });

  it('anything else keeps its own words, on one bounded line', () => {
    const long = `first line\n${'x'.repeat(400)}`;
    const described = describeUpdateError(new Error(long), '0.2.0');
    expect(described).toMatch(/^Update 0\.2\.0 could not be checked or downloaded \(first line x+…\)\.$/);
    expect(described.length).toBeLessThan(400);
  });
});
