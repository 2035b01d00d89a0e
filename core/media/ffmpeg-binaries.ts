/**
 * Where ffmpeg and ffprobe come from. A binary named in the environment wins (operators pin a build they
 * trust), then one on PATH (distribution builds are newer and faster than the npm one), then the static
 * build shipped inside the npm installer packages so that `npm install` alone is enough.
 *
 * The platform is a parameter (tests run the Windows and packaged-app branches on Linux): Windows
 * programs end in .exe and its environment spells PATH as it likes, and in the packaged desktop app
 * the npm packages report a path inside app.asar, which no OS can execute.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PeerStreamerError, errorMessage } from '../util/errors.js';

export type MediaTool = 'ffmpeg' | 'ffprobe';

const ENV_VARS: Record<MediaTool, string> = {
  ffmpeg: 'PEERSTREAMER_FFMPEG',
  ffprobe: 'PEERSTREAMER_FFPROBE',
};

const INSTALLER_PACKAGES: Record<MediaTool, string> = {
  ffmpeg: '@ffmpeg-installer/ffmpeg',
  ffprobe: '@ffprobe-installer/ffprobe',
};

export interface ResolvedBinary {
  path: string;
  source: 'env' | 'path' | 'npm';
}

/** What resolution depends on besides the environment; injected by tests. */
export interface BinaryHost {
  platform: NodeJS.Platform;
  /** Loads an installer package (`require`); throws where it has no build for this platform. */
  loadInstaller(pkg: string): unknown;
}

const nodeHost: BinaryHost = {
  platform: process.platform,
  loadInstaller: (pkg) => createRequire(import.meta.url)(pkg),
};

// Keyed by tool and the environment it was resolved under, so tests that change the env var get a fresh
// answer while normal runs pay for the lookup once.
const cache = new Map<string, ResolvedBinary>();

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** PATH's value. Windows environment names are case-insensitive and copies of it often say "Path". */
function pathVariable(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env.PATH;
  const key = Object.keys(env).find((name) => name.toUpperCase() === 'PATH');
  return key === undefined ? undefined : env[key];
}

/** A program's file name: Windows only runs ffmpeg.exe, never an extension-less "ffmpeg". */
export function executableName(tool: MediaTool, platform: NodeJS.Platform): string {
  return platform === 'win32' ? `${tool}.exe` : tool;
}

function findOnPath(tool: MediaTool, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | null {
  // Windows separates PATH entries with ';' (its paths contain ':'), everyone else with ':'.
  const delimiter = platform === 'win32' ? path.win32.delimiter : path.posix.delimiter;
  for (const dir of (pathVariable(env, platform) ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, executableName(tool, platform));
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/**
 * A file inside Electron's app.asar as the OS can execute it: electron-builder's asarUnpack puts it in
 * app.asar.unpacked beside the archive, while the package still reports the path inside the archive
 * (which Electron's own fs can stat, so it would look fine until spawn failed).
 */
export function unpackedAsarPath(file: string): string {
  return file.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

function fromInstallerPackage(tool: MediaTool, host: BinaryHost): string | null {
  let installed: { path?: unknown };
  try {
    installed = host.loadInstaller(INSTALLER_PACKAGES[tool]) as { path?: unknown };
  } catch {
    // The installer throws on platforms it has no build for; the caller reports "not found" instead.
    return null;
  }
  if (typeof installed.path !== 'string') return null;
  const file = unpackedAsarPath(installed.path);
  return isExecutableFile(file) ? file : null;
}

/** Runs `<binary> -version` so a wrong file (a script, another program, a broken build) fails early. */
function assertRunnable(tool: MediaTool, file: string): void {
  const envVar = ENV_VARS[tool];
  if (!isExecutableFile(file)) {
    throw new PeerStreamerError(
      'FFMPEG_FAILED',
      `${envVar}=${file} does not name an executable file; point ${envVar} at a ${tool} binary or unset it to use ${tool} from PATH.`,
      { tool, path: file, envVar },
    );
  }
  const result = spawnSync(file, ['-version'], { encoding: 'utf8', timeout: 10_000 });
  const firstLine = (result.stdout ?? '').split('\n')[0] ?? '';
  if (result.error || result.status !== 0 || !firstLine.toLowerCase().startsWith(`${tool} version`)) {
    const why = result.error
      ? errorMessage(result.error)
      : `\`${tool} -version\` printed ${JSON.stringify(firstLine)}`;
    throw new PeerStreamerError(
      'FFMPEG_FAILED',
      `${envVar}=${file} is not a working ${tool} (${why}); point ${envVar} at a ${tool} binary or unset it to use ${tool} from PATH.`,
      { tool, path: file, envVar },
    );
  }
}

/** Resolves ffmpeg or ffprobe following env var -> PATH -> npm package; throws FFMPEG_FAILED if none works. */
export function resolveBinary(
  tool: MediaTool,
  env: NodeJS.ProcessEnv = process.env,
  host: BinaryHost = nodeHost,
): ResolvedBinary {
  const envVar = ENV_VARS[tool];
  const fromEnv = env[envVar];
  const searchPath = pathVariable(env, host.platform) ?? '';
  const key = `${tool}\0${fromEnv ?? ''}\0${searchPath}`;
  // Only this process's own host is cached: an injected one (a test's) is resolved afresh each time.
  const cached = host === nodeHost ? cache.get(key) : undefined;
  if (cached) return cached;

  let resolved: ResolvedBinary;
  if (fromEnv !== undefined && fromEnv !== '') {
    assertRunnable(tool, fromEnv);
    resolved = { path: fromEnv, source: 'env' };
  } else {
    const onPath = findOnPath(tool, env, host.platform);
    const bundled = onPath === null ? fromInstallerPackage(tool, host) : null;
    if (onPath !== null) resolved = { path: onPath, source: 'path' };
    else if (bundled !== null) resolved = { path: bundled, source: 'npm' };
    else {
      throw new PeerStreamerError(
        'FFMPEG_FAILED',
        `${tool} was not found: ${envVar} is unset, PATH has no ${tool} and ${INSTALLER_PACKAGES[tool]} has no binary for ${host.platform}-${process.arch}; install ${tool} or set ${envVar}.`,
        { tool },
      );
    }
  }
  if (host === nodeHost) cache.set(key, resolved);
  return resolved;
}

export function ffmpegPath(env?: NodeJS.ProcessEnv): string {
  return resolveBinary('ffmpeg', env).path;
}

export function ffprobePath(env?: NodeJS.ProcessEnv): string {
  return resolveBinary('ffprobe', env).path;
}
