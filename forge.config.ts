/**
 * Electron Forge 7 (Forge 8 needs Node 22) drives development: `npm start` -> `electron-forge start`.
 * Before Electron starts, Vite builds the main process, the preload and the renderer into dist/
 * (the generateAssets hook), Forge rebuilds the native modules (better-sqlite3, zeromq) for
 * Electron's ABI, and the app runs from package.json "main" = dist/electron/main.js - the same
 * files electron-builder packages for the installers (electron-builder.yml). The Vite builds run
 * from a hook rather than @electron-forge/plugin-vite because that plugin insists on .vite/build/
 * as the output, and the installers are built from dist/.
 *
 * Fuses are set here for `electron-forge package` and in electron-builder.yml for installers; the
 * two lists must stay the same.
 */
import { execFileSync } from 'node:child_process';
import type { ForgeConfig } from '@electron-forge/shared-types';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { FuseV1Options, FuseVersion } from '@electron/fuses';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const config: ForgeConfig = {
  packagerConfig: {
    name: 'PeerStreamer',
    executableName: 'peerstreamer',
    icon: 'assets/icon', // Forge picks icon.icns / icon.ico / icon.png per platform
    asar: {
      // Native addons and the ffmpeg/ffprobe binaries cannot be loaded or run from inside the ASAR.
      unpack: '**/node_modules/{better-sqlite3,zeromq,@ffmpeg-installer,@ffprobe-installer}/**',
    },
    // Only what the app runs: the built bundles, the assets and the production node_modules.
    ignore: [
      /^\/(core|renderer|electron|test|bench|docs|scripts|seed|test-artifacts|out)(\/|$)/,
      /^\/dist\/(core|bench|test)(\/|$)/,
      /^\/\.[^/]+/,
      /\.tsx?$/,
    ],
  },
  rebuildConfig: {
    onlyModules: ['better-sqlite3', 'zeromq'],
    force: true,
  },
  hooks: {
    generateAssets: async () => {
      execFileSync(npm, ['run', 'build:app'], { stdio: 'inherit' });
    },
  },
  plugins: [
    new FusesPlugin({
      version: FuseVersion.V1,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    }),
  ],
};

export default config;
