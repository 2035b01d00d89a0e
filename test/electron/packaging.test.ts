import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FuseV1Options } from '@electron/fuses';
import { build, mergeConfig, type UserConfig } from 'vite';
import { describe, expect, it } from 'vitest';
import forgeConfig from '../../forge.config.js';
import { LINK_SCHEME } from '../../core/link/video-link.js';
import { APP_SCHEME } from '../../electron/app-identity.js';
import preloadConfig from '../../electron/build/vite.preload.config.js';
import { lacks, requires } from '../helpers/requirements.js';

const hasElectronBinary = lacks(requires.noElectronBinary);

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

// electron-builder's own loader and schema check, so the test fails where `npm run make` would.
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

interface BuilderConfig {
  productName: string;
  executableName: string;
  extraMetadata: { desktopName: string };
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  files: string[];
  protocols?: Array<{ name: string; schemes: string[] }>;
  publish: { provider: string; releaseType: string };
  linux: { target: string[]; icon: string; category: string };
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string; files: string[] };
}

const builder = yaml.load(readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own schema', async () => {
    await expect(validateConfiguration(builder, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('makes AppImage and deb, NSIS, and DMG plus the zip electron-updater updates a Mac from', () => {
    expect(builder.linux.target).toEqual(['AppImage', 'deb']);
    expect(builder.win.target).toEqual(['nsis']);
    expect(builder.mac.target).toEqual(['dmg', 'zip']);
  });

  it('publishes to a draft GitHub Release (the workflow names the repository)', () => {
    expect(builder.publish).toEqual({ provider: 'github', releaseType: 'draft' });
  });

  it('refuses a misspelt key, so the schema check above can fail', async () => {
    const misspelt = { ...builder, linux: { ...builder.linux, categroy: 'AudioVideo' } };
    await expect(validateConfiguration(misspelt, new DebugLogger(false))).rejects.toThrow(
      /configuration\.linux/,
    );
  });

  it('unpacks the native modules, the media binaries and the sample video from the ASAR', () => {
    for (const entry of [
      'node_modules/better-sqlite3/**',
      'node_modules/zeromq/**',
      'node_modules/@ffmpeg-installer/**',
      'node_modules/@ffprobe-installer/**',
      'assets/sample.mp4',
    ]) {
      expect(builder.asarUnpack).toContain(entry);
    }
  });

  it('sets the same fuses as forge.config.ts', () => {
    const plugin = forgeConfig.plugins!.find((entry) => entry.name === 'fuses') as unknown as {
      fusesConfig: Record<number, boolean>;
    };
    const forge = plugin.fusesConfig;
    const pairs: Array<[string, FuseV1Options]> = [
      ['runAsNode', FuseV1Options.RunAsNode],
      ['enableCookieEncryption', FuseV1Options.EnableCookieEncryption],
      ['enableNodeOptionsEnvironmentVariable', FuseV1Options.EnableNodeOptionsEnvironmentVariable],
      ['enableNodeCliInspectArguments', FuseV1Options.EnableNodeCliInspectArguments],
      ['enableEmbeddedAsarIntegrityValidation', FuseV1Options.EnableEmbeddedAsarIntegrityValidation],
      ['onlyLoadAppFromAsar', FuseV1Options.OnlyLoadAppFromAsar],
      ['grantFileProtocolExtraPrivileges', FuseV1Options.GrantFileProtocolExtraPrivileges],
    ];
    for (const [name, fuse] of pairs)
      expect([name, builder.electronFuses[name]]).toEqual([name, forge[fuse]]);
    expect(builder.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('ships icons at every size, plus .ico, .icns and tray images', () => {
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) {
      expect(pngSize(path.join(REPO, builder.linux.icon, `${size}x${size}.png`))).toEqual({
        width: size,
        height: size,
      });
    }
    expect(readFileSync(path.join(REPO, builder.win.icon)).readUInt16LE(2)).toBe(1); // ICO type
    expect(readFileSync(path.join(REPO, builder.mac.icon)).subarray(0, 4).toString('latin1')).toBe('icns');
    for (const [file, size] of [
      ['tray.png', 16],
      ['tray@2x.png', 32],
      ['trayTemplate.png', 16],
      ['trayTemplate@2x.png', 32],
    ] as const) {
      expect(pngSize(path.join(REPO, 'assets', 'tray', file))).toEqual({ width: size, height: size });
    }
    expect(existsSync(path.join(REPO, 'assets', 'sample.mp4'))).toBe(true);
  });
});

describe('the macOS apps’ media binaries', () => {
  // electron-builder's own file matching for node_modules, with its macro expansion for each arch.
  const { FileMatcher, getNodeModuleFileMatcher } = require('app-builder-lib/out/fileMatcher') as {
    FileMatcher: new (
      from: string,
      to: string,
      expand: (pattern: string) => string,
      patterns: string[],
    ) => { createFilter(): (file: string, stat: unknown) => boolean };
    getNodeModuleFileMatcher(
      appDir: string,
      destination: string,
      expand: (pattern: string) => string,
      options: unknown,
      packager: unknown,
    ): { patterns: string[]; macroExpander: (pattern: string) => string };
  };
  const { expandMacro } = require('app-builder-lib/out/util/macroExpander') as {
    expandMacro(pattern: string, arch: string | null, appInfo: unknown): string;
  };

  /** Whether the app for `arch` ships node_modules/<file>, as electron-builder copies node modules. */
  function ships(arch: 'x64' | 'arm64', file: string): boolean {
    const expand = (pattern: string) => expandMacro(pattern, arch, {});
    const packager = { config: builder, debugLogger: { isEnabled: false } };
    const matcher = getNodeModuleFileMatcher(REPO, '/app', expand, builder.mac, packager);
    // No patterns: NodeModuleCopyHelper then copies every file.
    if (matcher.patterns.length === 0) return true;
    const [scope, name] = file.split('/');
    const module = path.join(REPO, 'node_modules', scope!, name!);
    const filter = new FileMatcher(module, '/app', matcher.macroExpander, matcher.patterns).createFilter();
    const stat = { isDirectory: () => false, moduleFullFilePath: `node_modules/${file}` };
    return filter(path.join(REPO, 'node_modules', file), stat);
  }

  it('each app ships its own architecture’s ffmpeg and ffprobe, and not the other’s', () => {
    for (const tool of ['@ffmpeg-installer/darwin-%s/ffmpeg', '@ffprobe-installer/darwin-%s/ffprobe']) {
      const x64 = tool.replace('%s', 'x64');
      const arm64 = tool.replace('%s', 'arm64');
      expect([ships('x64', x64), ships('x64', arm64)], tool).toEqual([true, false]);
      expect([ships('arm64', arm64), ships('arm64', x64)], tool).toEqual([true, false]);
    }
    // The rest of both packages, and other modules, are untouched.
    expect(ships('x64', '@ffmpeg-installer/ffmpeg/index.js')).toBe(true);
    expect(ships('arm64', 'zeromq/package.json')).toBe(true);
  });
});

describe('the Linux desktop entry (deb and AppImage)', () => {
  // electron-builder's own writer of the entry, given what its packager would hold for our config.
  const { LinuxTargetHelper } = require('app-builder-lib/out/targets/LinuxTargetHelper') as {
    LinuxTargetHelper: new (packager: unknown) => {
      computeDesktopEntry(options: unknown, exec?: string): Promise<string>;
    };
  };
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { description: string };
  const packager = {
    appInfo: {
      productName: builder.productName,
      sanitizedProductName: builder.productName,
      description: pkg.description,
    },
    executableName: builder.executableName,
    info: { metadata: { ...pkg, ...builder.extraMetadata } },
    fileAssociations: [],
    config: builder,
    platformSpecificBuildOptions: builder.linux,
  };

  async function entry(): Promise<Map<string, string>> {
    const text = await new LinuxTargetHelper(packager).computeDesktopEntry(builder.linux);
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('[Desktop Entry]');
    return new Map(lines.slice(1).map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
  }

  it('is in AudioVideo, with the app’s icon and name', async () => {
    const fields = await entry();
    expect(fields.get('Categories')).toBe('AudioVideo;');
    expect(fields.get('Type')).toBe('Application');
    expect(fields.get('Name')).toBe('PeerStreamer');
    expect(fields.get('Comment')).toBe(pkg.description);
    // Icon=peerstreamer resolves to the hicolor PNGs the packages install from assets/icons.
    expect(fields.get('Icon')).toBe('peerstreamer');
    expect(existsSync(path.join(REPO, builder.linux.icon, '256x256.png'))).toBe(true);
  });

  it('registers the peerstreamer: scheme, whose links electron/link-scheme.ts reads', async () => {
    const fields = await entry();
    expect(fields.get('MimeType')).toBe('x-scheme-handler/peerstreamer;');
    expect(builder.protocols).toEqual([{ name: 'PeerStreamer video link', schemes: ['peerstreamer'] }]);
    // The scheme of the links (core/link) and of the app's UI inside it are one and the same.
    expect(`${APP_SCHEME}:`).toBe(LINK_SCHEME);
    // The rest of the entry as before: the app started by its executable.
    expect(fields.get('Exec')).toBe('/opt/PeerStreamer/peerstreamer %U');
  });

  it('ties the running window to the entry (StartupWMClass = desktopName)', async () => {
    const fields = await entry();
    expect(builder.extraMetadata.desktopName).toBe('peerstreamer.desktop');
    expect(fields.get('StartupWMClass')).toBe('peerstreamer');
  });
});

describe('preload bundle', () => {
  it('is one CommonJS file that requires nothing but electron (sandboxed preloads can load no files)', async () => {
    const cache = path.join(REPO, 'node_modules', '.cache', 'peerstreamer-electron-tests');
    await mkdir(cache, { recursive: true });
    const outDir = await mkdtemp(path.join(cache, 'preload-'));
    try {
      const override: UserConfig = { logLevel: 'silent', build: { outDir } };
      await build({ ...mergeConfig(preloadConfig as UserConfig, override), configFile: false });
      const code = await readFile(path.join(outDir, 'preload.cjs'), 'utf8');
      const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((match) => match[1]);
      expect(new Set(required)).toEqual(new Set(['electron']));
      expect(code).not.toMatch(/^import /m);
      expect(code).toContain('exposeInMainWorld("peerstreamer"');
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
});

describe('npm start without the Electron binary', () => {
  it.skipIf(hasElectronBinary)('says so in one line, points at npm run demo, and exits non-zero', () => {
    const ran = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'start.mjs')], {
      encoding: 'utf8',
      cwd: REPO,
    });
    expect(ran.status).not.toBe(0);
    expect(ran.stdout).toBe('');
    const lines = ran.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Electron binary is not installed.*npm run demo/);
  });
});
