/**
 * Where things are, packaged or not. Files that external programs read (the sample video ffmpeg
 * cuts) must come from app.asar.unpacked: only Electron's own fs can see inside the ASAR.
 */
import path from 'node:path';

export interface AppPaths {
  /** The node's store (SQLite index + chunk files + settings). */
  store: string;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** The sandboxed preload bundle. */
  preload: string;
  /** assets/ (icons, tray images, sample video). */
  assets: string;
  sampleVideo: string;
  windowIcon: string;
  trayIcon: string;
}

/** `appRoot` is app.getAppPath(): the folder (or app.asar) holding package.json. */
export function appPaths(appRoot: string, userData: string, platform: NodeJS.Platform): AppPaths {
  const assets = path.join(appRoot, 'assets');
  return {
    store: path.join(userData, 'store'),
    staticDir: path.join(appRoot, 'dist', 'renderer'),
    preload: path.join(appRoot, 'dist', 'electron', 'preload.cjs'),
    assets,
    sampleVideo: unpacked(path.join(assets, 'sample.mp4')),
    windowIcon: path.join(assets, 'icons', '512x512.png'),
    // macOS tints "Template" images for light and dark menu bars; elsewhere a light glyph.
    trayIcon: path.join(assets, 'tray', platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'),
  };
}

export function unpacked(file: string): string {
  return file.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

/**
 * Packaged, the npm ffmpeg/ffprobe binaries sit in app.asar.unpacked, but their packages report a
 * path inside app.asar, which the OS cannot execute. The env override (honoured by
 * core/media/ffmpeg-binaries.ts) points at the real files; a user's own override wins.
 */
export function mediaToolsEnv(
  resolveInstalled: (pkg: string) => string | null,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const out: Record<string, string> = {};
  const tools = [
    ['PEERSTREAMER_FFMPEG', '@ffmpeg-installer/ffmpeg'],
    ['PEERSTREAMER_FFPROBE', '@ffprobe-installer/ffprobe'],
  ] as const;
  for (const [variable, pkg] of tools) {
    const installed = env[variable] === undefined ? resolveInstalled(pkg) : null;
    if (installed !== null && installed !== unpacked(installed)) out[variable] = unpacked(installed);
  }
  return out;
}
