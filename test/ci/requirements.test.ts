/**
 * The named skip conditions, judged for each platform with the host injected: what counts as met,
 * that a skip is always printed (as a GitHub annotation under Actions), and that Linux fails instead.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CHROMIUM,
  ELECTRON_PATH_FILE,
  lacks,
  requirementsFor,
  type Host,
} from '../helpers/requirements.js';

function host(overrides: Partial<Host> = {}): Host & { printed: string[] } {
  const printed: string[] = [];
  return {
    platform: 'linux',
    env: {},
    isRoot: false,
    exists: () => false,
    hasCommand: () => false,
    mediaTool: () => 'system',
    print: (line) => printed.push(line),
    printed,
    ...overrides,
  };
}

describe('requirementsFor', () => {
  it('Linux as root with apt-get, setpriv and ffmpeg, and no Electron binary: everything is met', () => {
    const linux = host({
      isRoot: true,
      hasCommand: (name) => name === 'apt-get' || name === 'setpriv',
      exists: (file) => file !== ELECTRON_PATH_FILE,
    });
    const all = requirementsFor(linux);
    expect(Object.values(all).filter((requirement) => !requirement.met)).toEqual([]);
  });

  it('another user: root on Linux with setpriv; not without root, without setpriv, or elsewhere', () => {
    const setpriv = (name: string): boolean => name === 'setpriv';
    expect(requirementsFor(host({ isRoot: true, hasCommand: setpriv })).otherUsers.met).toBe(true);
    expect(requirementsFor(host({ isRoot: false, hasCommand: setpriv })).otherUsers.met).toBe(false);
    expect(requirementsFor(host({ isRoot: true })).otherUsers.met).toBe(false);
    const mac = requirementsFor(host({ platform: 'darwin', isRoot: true, hasCommand: setpriv }));
    expect(mac.otherUsers.met).toBe(false);
    expect(mac.otherUsers.reason).toMatch(/setpriv .* chown, which needs root on Linux/);
  });

  it('Windows: no signals, scripts, mounts, Unix sockets, file modes or other users; Chromium and ffmpeg as found', () => {
    const windows = requirementsFor(
      host({
        platform: 'win32',
        env: { CHROMIUM_PATH: 'C:\\chrome.exe' },
        exists: (f) => f === 'C:\\chrome.exe',
      }),
    );
    expect(windows.posixSignals.met).toBe(false);
    expect(windows.executableScripts.met).toBe(false);
    expect(windows.tmpfsMounts.met).toBe(false);
    expect(windows.unixSockets.met).toBe(false);
    expect(windows.posixFileModes.met).toBe(false);
    expect(windows.posixFileModes.reason).toMatch(/ACL/);
    expect(windows.otherUsers.met).toBe(false);
    expect(windows.chromium.met).toBe(true);
    expect(windows.ffmpeg.met).toBe(true);
  });

  it('macOS: POSIX, but no tmpfs mounts, and only the npm ffmpeg', () => {
    const mac = requirementsFor(host({ platform: 'darwin', isRoot: true, mediaTool: () => 'npm' }));
    expect(mac.posixSignals.met).toBe(true);
    expect(mac.executableScripts.met).toBe(true);
    expect(mac.unixSockets.met).toBe(true);
    expect(mac.posixFileModes.met).toBe(true);
    expect(mac.tmpfsMounts.met).toBe(false);
    expect(mac.ffmpeg.met).toBe(false);
    expect(mac.chromium.met).toBe(false);
    expect(mac.chromium.reason).toContain(DEFAULT_CHROMIUM);
  });

  it('Chromium: Linux root with apt-get can install it, but not when CHROMIUM_PATH names one that is missing', () => {
    const installs = host({ isRoot: true, hasCommand: (name) => name === 'apt-get' });
    expect(requirementsFor(installs).chromium.met).toBe(true);
    const pinned = { ...installs, env: { CHROMIUM_PATH: '/opt/chrome' } };
    expect(requirementsFor(pinned).chromium.met).toBe(false);
    expect(requirementsFor(pinned).chromium.reason).toContain('/opt/chrome');
  });

  it('no Electron binary: unmet once electron’s install script has downloaded one, on any platform', () => {
    expect(requirementsFor(host()).noElectronBinary.met).toBe(true);
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const downloaded = requirementsFor(host({ platform, exists: (file) => file === ELECTRON_PATH_FILE }));
      expect(downloaded.noElectronBinary.met).toBe(false);
      expect(downloaded.noElectronBinary.reason).toMatch(/ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci/);
    }
    expect(ELECTRON_PATH_FILE).toMatch(/node_modules[\\/]electron[\\/]path\.txt$/);
  });

  it('ffmpeg: both tools must be system builds', () => {
    const half = host({ mediaTool: (tool) => (tool === 'ffmpeg' ? 'system' : 'none') });
    expect(requirementsFor(half).ffmpeg.met).toBe(false);
  });
});

describe('lacks', () => {
  const unmet = { name: 'a thing', met: false, reason: 'it is not here; get one.' };

  it('a met requirement is silent', () => {
    const mac = host({ platform: 'darwin' });
    expect(lacks({ ...unmet, met: true }, mac)).toBe(false);
    expect(mac.printed).toEqual([]);
  });

  it('elsewhere than Linux: skips, saying why', () => {
    const mac = host({ platform: 'darwin' });
    expect(lacks(unmet, mac)).toBe(true);
    expect(mac.printed).toEqual(['skipped (needs a thing): it is not here; get one.']);
  });

  it('under GitHub Actions the reason is an annotation', () => {
    const windows = host({ platform: 'win32', env: { GITHUB_ACTIONS: 'true' } });
    expect(lacks(unmet, windows)).toBe(true);
    expect(windows.printed).toEqual([
      '::notice title=Skipped tests::skipped (needs a thing): it is not here; get one.',
    ]);
  });

  it('Linux: fails with the reason, unless the skip is asked for', () => {
    expect(() => lacks(unmet, host())).toThrow(
      'These tests need a thing: it is not here; get one. Linux runs every test; install it, or set PEERSTREAMER_ALLOW_SKIP=1 to skip them knowingly.',
    );
    const allowed = host({ env: { PEERSTREAMER_ALLOW_SKIP: '1' } });
    expect(lacks(unmet, allowed)).toBe(true);
    expect(allowed.printed).toHaveLength(1);
  });
});
