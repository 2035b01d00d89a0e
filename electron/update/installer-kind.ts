/**
 * Which installer this copy of the app came from decides how it updates itself: NSIS runs the new
 * installer, a Mac swaps the app from a zip, an AppImage replaces its own file, a deb goes through
 * dpkg. A copy that came from none of them (an unpacked build, a tarball) cannot update itself.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export type InstallerKind = 'nsis' | 'mac' | 'appimage' | 'deb';

export interface InstallSigns {
  /** $APPIMAGE: the AppImage runtime sets it to the image's own path. */
  appImage: string | undefined;
  /** resources/package-type, which electron-builder writes into a deb ("deb"), else null. */
  packageType: string | null;
}

export function installerKind(platform: NodeJS.Platform, signs: InstallSigns): InstallerKind | null {
  if (platform === 'win32') return 'nsis';
  if (platform === 'darwin') return 'mac';
  if (platform !== 'linux') return null;
  // An AppImage can be started from anywhere, even from a deb's folder, so $APPIMAGE decides first.
  if (signs.appImage !== undefined && signs.appImage !== '') return 'appimage';
  if (signs.packageType === 'deb') return 'deb';
  return null;
}

/** The packaged app's resources/package-type, or null when there is none (not a deb). */
export function readPackageType(resourcesPath: string | undefined): string | null {
  if (resourcesPath === undefined) return null;
  try {
    return readFileSync(path.join(resourcesPath, 'package-type'), 'utf8').trim();
  } catch {
    // Missing is the normal case for every installer but deb.
    return null;
  }
}
