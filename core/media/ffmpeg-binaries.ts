/**
 * Where ffmpeg and ffprobe come from. A binary named in the environment wins (operators pin a build they
 * trust), then one on PATH (distribution builds are newer and faster than the npm one), then the static
 * build shipped inside the npm installer packages so that `npm install` alone is enough.
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

function findOnPath(name: string, envPath: string | undefined): string | null {
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

function fromInstallerPackage(tool: MediaTool): string | null {
  try {
    const require = createRequire(import.meta.url);
    const installed = require(INSTALLER_PACKAGES[tool]) as { path?: unknown };
    return typeof installed.path === 'string' && isExecutableFile(installed.path) ? installed.path : null;
  } catch {
    // The installer throws on platforms it has no build for; the caller reports "not found" instead.
    return null;
  }
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
export function resolveBinary(tool: MediaTool, env: NodeJS.ProcessEnv = process.env): ResolvedBinary {
  const envVar = ENV_VARS[tool];
  const fromEnv = env[envVar];
  const key = `${tool}\0${fromEnv ?? ''}\0${env.PATH ?? ''}`;
  const cached = cache.get(key);
  if (cached) return cached;

  let resolved: ResolvedBinary;
  if (fromEnv !== undefined && fromEnv !== '') {
    assertRunnable(tool, fromEnv);
    resolved = { path: fromEnv, source: 'env' };
  } else {
    const onPath = findOnPath(tool, env.PATH);
    const bundled = onPath === null ? fromInstallerPackage(tool) : null;
    if (onPath !== null) resolved = { path: onPath, source: 'path' };
    else if (bundled !== null) resolved = { path: bundled, source: 'npm' };
    else {
      throw new PeerStreamerError(
        'FFMPEG_FAILED',
        `${tool} was not found: ${envVar} is unset, PATH has no ${tool} and ${INSTALLER_PACKAGES[tool]} has no binary for ${process.platform}-${process.arch}; install ${tool} or set ${envVar}.`,
        { tool },
      );
    }
  }
  cache.set(key, resolved);
  return resolved;
}

export function ffmpegPath(env?: NodeJS.ProcessEnv): string {
  return resolveBinary('ffmpeg', env).path;
}

export function ffprobePath(env?: NodeJS.ProcessEnv): string {
  return resolveBinary('ffprobe', env).path;
}
