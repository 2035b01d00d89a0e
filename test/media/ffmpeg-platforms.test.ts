/**
 * ffmpeg/ffprobe resolution on each platform, with the platform and the installer package injected:
 * the Windows branch (ffmpeg.exe, ';'-separated "Path") and the packaged app's branch (app.asar ->
 * app.asar.unpacked) run here on Linux against real files, as they will on the release machines.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  executableName,
  resolveBinary,
  unpackedAsarPath,
  type BinaryHost,
} from '../../core/media/ffmpeg-binaries.js';
import { tempDir } from '../helpers/temp-dirs.js';

function executable(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, 'not run: only found\n');
  chmodSync(file, 0o755);
  return file;
}

const noInstaller = (): never => {
  throw new Error('@ffmpeg-installer has no build for this platform');
};

describe('executableName', () => {
  it('is ffmpeg.exe on Windows and ffmpeg elsewhere', () => {
    expect(executableName('ffmpeg', 'win32')).toBe('ffmpeg.exe');
    expect(executableName('ffprobe', 'win32')).toBe('ffprobe.exe');
    expect(executableName('ffmpeg', 'darwin')).toBe('ffmpeg');
    expect(executableName('ffprobe', 'linux')).toBe('ffprobe');
  });
});

describe('PATH lookup', () => {
  const dir = tempDir('peerstreamer-platform-bin-');
  const winBin = path.join(dir, 'win');
  const posixBin = path.join(dir, 'posix');
  executable(path.join(winBin, 'ffmpeg.exe'));
  executable(path.join(posixBin, 'ffmpeg'));
  const windows: BinaryHost = { platform: 'win32', loadInstaller: noInstaller };

  it('Windows: finds ffmpeg.exe in a ;-separated Path, whatever the variable’s case', () => {
    const env = { Path: `${path.join(dir, 'nothing')};${winBin}` };
    expect(resolveBinary('ffmpeg', env, windows)).toEqual({
      path: path.join(winBin, 'ffmpeg.exe'),
      source: 'path',
    });
  });

  it('Windows: an extension-less "ffmpeg" is not a program there', () => {
    expect(() => resolveBinary('ffmpeg', { PATH: posixBin }, windows)).toThrow(
      expect.objectContaining({ code: 'FFMPEG_FAILED', message: expect.stringMatching(/win32/) }),
    );
  });

  it.each(['linux', 'darwin'] as const)(
    '%s: finds extension-less ffmpeg in a :-separated PATH',
    (platform) => {
      const host: BinaryHost = { platform, loadInstaller: noInstaller };
      const env = { PATH: `${path.join(dir, 'nothing')}:${posixBin}` };
      expect(resolveBinary('ffmpeg', env, host)).toEqual({
        path: path.join(posixBin, 'ffmpeg'),
        source: 'path',
      });
      // "Path" is not PATH outside Windows, and ffmpeg.exe is not ffmpeg.
      expect(() => resolveBinary('ffmpeg', { Path: posixBin }, host)).toThrow(/ffmpeg was not found/);
      expect(() => resolveBinary('ffmpeg', { PATH: winBin }, host)).toThrow(/ffmpeg was not found/);
    },
  );
});

describe('the npm package inside the packaged app', () => {
  const resources = path.join(tempDir('peerstreamer-platform-app-'), 'resources');
  const inside = (...parts: string[]) => path.join(resources, 'app.asar', 'node_modules', ...parts);
  const unpacked = (...parts: string[]) =>
    path.join(resources, 'app.asar.unpacked', 'node_modules', ...parts);

  it('resolves app.asar to app.asar.unpacked, where the OS can execute the binary', () => {
    const real = executable(unpacked('@ffprobe-installer', 'linux-x64', 'ffprobe'));
    const host: BinaryHost = {
      platform: 'linux',
      loadInstaller: (pkg) => {
        expect(pkg).toBe('@ffprobe-installer/ffprobe');
        return { path: inside('@ffprobe-installer', 'linux-x64', 'ffprobe') };
      },
    };
    expect(resolveBinary('ffprobe', { PATH: '' }, host)).toEqual({ path: real, source: 'npm' });
  });

  it('says ffmpeg was not found when the unpacked copy is missing (asarUnpack forgot it)', () => {
    const host: BinaryHost = {
      platform: 'linux',
      loadInstaller: () => ({ path: inside('@ffmpeg-installer', 'linux-x64', 'ffmpeg') }),
    };
    expect(() => resolveBinary('ffmpeg', { PATH: '' }, host)).toThrow(
      expect.objectContaining({
        code: 'FFMPEG_FAILED',
        message: `ffmpeg was not found: PEERSTREAMER_FFMPEG is unset, PATH has no ffmpeg and @ffmpeg-installer/ffmpeg has no binary for linux-${process.arch}; install ffmpeg or set PEERSTREAMER_FFMPEG.`,
      }),
    );
  });

  it('an installer without a build for the platform is "not found", naming the platform', () => {
    const host: BinaryHost = { platform: 'darwin', loadInstaller: noInstaller };
    expect(() => resolveBinary('ffmpeg', { PATH: '' }, host)).toThrow(/has no binary for darwin-/);
  });

  it('maps Windows and POSIX archive paths, and nothing else', () => {
    expect(
      unpackedAsarPath(
        'C:\\Program Files\\PeerStreamer\\resources\\app.asar\\node_modules\\@ffmpeg-installer\\win32-x64\\ffmpeg.exe',
      ),
    ).toBe(
      'C:\\Program Files\\PeerStreamer\\resources\\app.asar.unpacked\\node_modules\\@ffmpeg-installer\\win32-x64\\ffmpeg.exe',
    );
    expect(
      unpackedAsarPath('/Applications/PeerStreamer.app/Contents/Resources/app.asar/node_modules/x'),
    ).toBe('/Applications/PeerStreamer.app/Contents/Resources/app.asar.unpacked/node_modules/x');
    for (const untouched of [
      '/opt/PeerStreamer/resources/app.asar.unpacked/node_modules/x',
      '/home/u/myapp.asar/x',
      '/usr/lib/node_modules/@ffmpeg-installer/linux-x64/ffmpeg',
    ]) {
      expect(unpackedAsarPath(untouched)).toBe(untouched);
    }
  });
});
