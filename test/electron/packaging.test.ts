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
import preloadConfig from '../../electron/build/vite.preload.config.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

// electron-builder's own loader and schema check, so the test fails where `npm run make` would.
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

interface BuilderConfig {
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  files: string[];
  linux: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
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

  it('makes AppImage and deb, NSIS and DMG', () => {
    expect(builder.linux.target).toEqual(['AppImage', 'deb']);
    expect(builder.win.target).toEqual(['nsis']);
    expect(builder.mac.target).toEqual(['dmg']);
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
  const binaryPresent = existsSync(path.join(REPO, 'node_modules', 'electron', 'path.txt'));

  it.skipIf(binaryPresent)('says so in one line, points at npm run demo, and exits non-zero', () => {
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
