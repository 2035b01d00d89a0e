/**
 * Named conditions for tests that need what some machines lack: CI's macOS and Windows runners have
 * no Debian Chromium or ffmpeg, cannot deliver SIGTERM to a child, cannot mount a tmpfs or switch to
 * another uid, and Windows has no Unix sockets or file modes. A test says
 * what it needs with one line,
 *
 *   describe.skipIf(lacks(requires.ffmpeg))('cutting', () => { ... });
 *
 * and where the need is not met the reason is printed (and annotated on GitHub), so a skip is never
 * silent. Linux is where everything runs: there a missing requirement fails the file with the reason
 * instead of skipping it, unless PEERSTREAMER_ALLOW_SKIP=1 says the skip is intended.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolveBinary } from '../../core/media/ffmpeg-binaries.js';

export interface Requirement {
  readonly name: string;
  readonly met: boolean;
  /** What is missing, in words, and how to get it. */
  readonly reason: string;
}

/** What the requirements are judged from; tests of this module pass their own. */
export interface Host {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  isRoot: boolean;
  exists(file: string): boolean;
  hasCommand(name: string): boolean;
  /** Where ffmpeg or ffprobe comes from: a system build, the npm package's, or nowhere. */
  mediaTool(tool: 'ffmpeg' | 'ffprobe'): 'system' | 'npm' | 'none';
  print(line: string): void;
}

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Written by electron's install script once it has downloaded the binary. */
export const ELECTRON_PATH_FILE = fileURLToPath(
  new URL('../../node_modules/electron/path.txt', import.meta.url),
);

export function requirementsFor(host: Host) {
  const chromium = host.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM;
  // test/helpers/chromium.ts installs Debian's chromium itself when it can (root with apt-get).
  const canInstallChromium =
    host.env.CHROMIUM_PATH === undefined &&
    host.platform === 'linux' &&
    host.isRoot &&
    host.hasCommand('apt-get');
  const systemMedia = host.mediaTool('ffmpeg') === 'system' && host.mediaTool('ffprobe') === 'system';
  const notWindows = host.platform !== 'win32';
  return {
    chromium: {
      name: 'Chromium',
      met: host.exists(chromium) || canInstallChromium,
      reason: `no Chromium at ${chromium}; set CHROMIUM_PATH to a Chromium or Chrome binary (Debian: apt-get install chromium).`,
    },
    ffmpeg: {
      name: 'system ffmpeg',
      met: systemMedia,
      reason:
        'no system ffmpeg and ffprobe (on PATH, or named by PEERSTREAMER_FFMPEG / PEERSTREAMER_FFPROBE); the media tests make their fixtures with, and judge the output by, a full distribution build such as Debian’s, not the 2018 static build from npm.',
    },
    posixSignals: {
      name: 'POSIX signals',
      met: notWindows,
      reason:
        'Windows cannot deliver SIGINT, SIGTERM, SIGSTOP or SIGCONT to a child for it to handle: the child is killed outright.',
    },
    executableScripts: {
      name: 'executable scripts',
      met: notWindows,
      reason: 'Windows does not run "#!" scripts as programs.',
    },
    tmpfsMounts: {
      name: 'tmpfs mounts',
      met: host.platform === 'linux' && host.isRoot,
      reason:
        'a real full or read-only disk is a small tmpfs mounted for the test, which needs root on Linux.',
    },
    appImageUpdates: {
      name: 'AppImage updates',
      met: host.platform === 'linux',
      reason:
        'electron-updater’s AppImage updater falls back to a full download only on Linux (elsewhere it gives up), and AppImages exist only there.',
    },
    unixSockets: {
      name: 'Unix domain sockets',
      met: notWindows,
      reason: 'Windows has named pipes where these tests use a Unix domain socket.',
    },
    posixFileModes: {
      name: 'POSIX file modes',
      met: notWindows,
      reason:
        'Windows keeps only a read-only bit of a file mode (a 0600 file reads back as 0666); who may open a file is its ACL.',
    },
    otherUsers: {
      name: 'acting as another user',
      met: host.platform === 'linux' && host.isRoot && host.hasCommand('setpriv'),
      reason:
        'the test runs a process as another uid with setpriv (util-linux) or gives a file to another uid with chown, which needs root on Linux.',
    },
    noElectronBinary: {
      name: 'no Electron binary',
      met: !host.exists(ELECTRON_PATH_FILE),
      reason:
        'the test checks what `npm start` says when the Electron binary was never downloaded, and node_modules/electron has one; reinstall with ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci to run it.',
    },
  } satisfies Record<string, Requirement>;
}

/**
 * True when `requirement` is not met, after saying so; use as `it.skipIf(lacks(...))`. On Linux an
 * unmet requirement throws (the file fails with the reason) unless PEERSTREAMER_ALLOW_SKIP=1.
 */
export function lacks(requirement: Requirement, host: Host = nodeHost()): boolean {
  if (requirement.met) return false;
  if (host.platform === 'linux' && host.env.PEERSTREAMER_ALLOW_SKIP !== '1') {
    throw new Error(
      `These tests need ${requirement.name}: ${requirement.reason} Linux runs every test; install it, or set PEERSTREAMER_ALLOW_SKIP=1 to skip them knowingly.`,
    );
  }
  const line = `skipped (needs ${requirement.name}): ${requirement.reason}`;
  // A workflow command: GitHub lists it among the run's annotations.
  host.print(host.env.GITHUB_ACTIONS === 'true' ? `::notice title=Skipped tests::${line}` : line);
  return true;
}

function systemOrNpm(tool: 'ffmpeg' | 'ffprobe'): 'system' | 'npm' | 'none' {
  try {
    return resolveBinary(tool).source === 'npm' ? 'npm' : 'system';
  } catch {
    return 'none';
  }
}

function nodeHost(): Host {
  return {
    platform: process.platform,
    env: process.env,
    isRoot: process.getuid?.() === 0,
    exists: existsSync,
    hasCommand: (name) =>
      spawnSync(process.platform === 'win32' ? 'where' : 'which', [name], { stdio: 'ignore' }).status === 0,
    mediaTool: systemOrNpm,
    print: (line) => console.log(line),
  };
}

/** This machine's requirements, judged when a test file loads this module. */
export const requires = requirementsFor(nodeHost());
