import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChunkStore } from '../../core/store/chunk-store.js';
import { defaultSettings, type AppSettings } from '../../core/settings/settings-model.js';
import { checkSettingsPatch, settingProblem } from '../../core/settings/settings-rules.js';
import {
  readSettings,
  readSettingsFromDir,
  rowKey,
  writeSettings,
} from '../../core/settings/settings-store.js';
import { nodeConfigFromSettings } from '../../core/settings/node-config-from-settings.js';
import { isPeerStreamerError } from '../../core/util/errors.js';

const DEFAULTS = defaultSettings('desk-1');

describe('settings rules', () => {
  it('accepts the defaults and a full swarm configuration', () => {
    expect(checkSettingsPatch(DEFAULTS, {})).toEqual({ ok: true, settings: DEFAULTS });
    const swarm = checkSettingsPatch(DEFAULTS, {
      name: 'laptop.home',
      port: 8001,
      ip: '192.0.2.20',
      master: ' tcp://192.0.2.10:7999 ',
      supermaster: 'tcp://[2001:db8::1]:7999',
      cacheSizeBytes: 2 * 2 ** 30,
      uploadLimitBytesPerSecond: 1.5 * 2 ** 20,
      closeToTray: false,
      launchAtLogin: true,
    });
    expect(swarm.ok && swarm.settings).toMatchObject({
      master: 'tcp://192.0.2.10:7999',
      uploadLimitBytesPerSecond: 1.5 * 2 ** 20,
    });
  });

  it('says what is wrong with each bad value, in words', () => {
    const bad = checkSettingsPatch(DEFAULTS, {
      name: '-dash first',
      port: 70000,
      ip: 'not an ip!',
      master: 'http://192.0.2.10:7999',
      cacheSizeBytes: -5,
      uploadLimitBytesPerSecond: 'fast',
      closeToTray: 'yes',
      launchAtLogin: 1,
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.name).toMatch(/Name "-dash first" is not valid: use 1 to 100 letters/);
    expect(bad.problems.port).toMatch(/Port 70000 is not valid: use a whole number from 1 to 65535/);
    expect(bad.problems.ip).toMatch(/Address "not an ip!" is not valid/);
    expect(bad.problems.master).toMatch(/write tcp:\/\/host:port/);
    expect(bad.problems.cacheSizeBytes).toMatch(
      /Cache size must be a number of GiB greater than zero, or empty for unlimited/,
    );
    expect(bad.problems.uploadLimitBytesPerSecond).toMatch(/Upload limit must be a number of MiB\/s/);
    expect(bad.problems.closeToTray).toMatch(/must be on or off/);
    expect(bad.problems.launchAtLogin).toMatch(/must be on or off/);
  });

  it('checks fields against each other and refuses unknown ones', () => {
    const orphan = checkSettingsPatch(DEFAULTS, { supermaster: 'tcp://192.0.2.11:7999' });
    expect(!orphan.ok && orphan.problems.supermaster).toMatch(/set a master first/);
    const same = checkSettingsPatch(DEFAULTS, {
      master: 'tcp://192.0.2.11:7999',
      supermaster: 'tcp://192.0.2.11:7999',
    });
    expect(!same.ok && same.problems.supermaster).toMatch(/different node/);
    const unknown = checkSettingsPatch(DEFAULTS, { colour: 'blue' });
    expect(!unknown.ok && unknown.problems.name).toMatch(/"colour" is not a setting/);
    expect(settingProblem('port', 0)).toMatch(/1 to 65535/);
    expect(settingProblem('port', 80.5)).toMatch(/whole number/);
    expect(settingProblem('master', 'tcp://h:0')).toMatch(/port 0/);
  });

  it('an empty master field means "no master"', () => {
    const cleared = checkSettingsPatch({ ...DEFAULTS, master: 'tcp://192.0.2.10:7999' }, { master: '  ' });
    expect(cleared.ok && cleared.settings.master).toBeNull();
  });

  it('become a NodeConfig through the CLI’s own flag parser', () => {
    const config = nodeConfigFromSettings(
      {
        ...DEFAULTS,
        ip: '0.0.0.0',
        master: 'tcp://0.0.0.0:7999',
        cacheSizeBytes: 1.5 * 2 ** 30,
        uploadLimitBytesPerSecond: 2 * 2 ** 20,
      },
      '/tmp/store',
    );
    // The CLI reads wildcards as "this machine"; settings hold bytes, which the node gets exactly.
    expect(config).toMatchObject({
      name: 'desk-1',
      ip: '127.0.0.1',
      master: 'tcp://127.0.0.1:7999',
      cacheBytes: 1.5 * 2 ** 30,
      uploadBytesPerSecond: 2 * 2 ** 20,
      store: path.resolve('/tmp/store'),
    });
  });
});

describe('settings persistence (real SQLite store)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ps-settings-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const saved = async (patch: Partial<AppSettings>): Promise<void> => {
    const store = await ChunkStore.open(dir);
    try {
      writeSettings(store, DEFAULTS, patch);
    } finally {
      store.close();
    }
  };

  /** Writes a row as a crash, a bad disk or an old version might have left it. */
  const rawRow = async (key: string, json: string): Promise<void> => {
    (await ChunkStore.open(dir)).close(); // creates the schema on a fresh store
    const db = new Database(path.join(dir, 'index.sqlite'));
    try {
      db.prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ).run(key, json);
    } finally {
      db.close();
    }
  };

  it('an empty store reads as the defaults, without warnings', async () => {
    expect(await readSettingsFromDir(dir, DEFAULTS)).toEqual({ settings: DEFAULTS, warnings: [] });
  });

  it('saved values survive closing and reopening the store', async () => {
    await saved({
      port: 8123,
      master: 'tcp://192.0.2.10:7999',
      uploadLimitBytesPerSecond: 3 * 2 ** 20,
      closeToTray: false,
    });
    const { settings, warnings } = await readSettingsFromDir(dir, DEFAULTS);
    expect(warnings).toEqual([]);
    expect(settings).toEqual({
      ...DEFAULTS,
      port: 8123,
      master: 'tcp://192.0.2.10:7999',
      uploadLimitBytesPerSecond: 3 * 2 ** 20,
      closeToTray: false,
    });
  });

  it('bad values are refused with every problem named, and nothing is saved', async () => {
    const store = await ChunkStore.open(dir);
    try {
      let thrown: unknown;
      try {
        writeSettings(store, DEFAULTS, { port: 8123, cacheSizeBytes: 0, name: '' });
      } catch (error) {
        thrown = error;
      }
      expect(isPeerStreamerError(thrown, 'INVALID_ARGUMENT')).toBe(true);
      expect((thrown as Error).message).toMatch(/^Settings not saved: /);
      expect((thrown as Error).message).toMatch(/Name "" is not valid/);
      expect((thrown as Error).message).toMatch(/Cache size must be a number of GiB greater than zero/);
      expect(readSettings(store, DEFAULTS).settings).toEqual(DEFAULTS);
    } finally {
      store.close();
    }
  });

  it('a corrupt row falls back to that field’s default with a warning, never a crash', async () => {
    await saved({ port: 8123, uploadLimitBytesPerSecond: 4 * 2 ** 20 });
    await rawRow(rowKey('port'), '{not json');
    const { settings, warnings } = await readSettingsFromDir(dir, DEFAULTS);
    expect(settings.port).toBe(DEFAULTS.port);
    expect(settings.uploadLimitBytesPerSecond).toBe(4 * 2 ** 20);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /Setting "port" in .* could not be read .*using the default 7780\. Save the settings again/,
    );
  });

  it('a well-formed row with a bad value falls back too', async () => {
    await rawRow(rowKey('port'), '99999');
    await rawRow(rowKey('closeToTray'), '"sometimes"');
    await rawRow(rowKey('name'), '{"evil":true}');
    const { settings, warnings } = await readSettingsFromDir(dir, DEFAULTS);
    expect(settings).toEqual(DEFAULTS);
    expect(warnings.map((warning) => warning.match(/Setting "(\w+)"/)?.[1])).toEqual([
      'name',
      'port',
      'closeToTray',
    ]);
  });

  it('a supermaster saved without its master falls back to no master at all', async () => {
    await rawRow(rowKey('supermaster'), '"tcp://192.0.2.11:7999"');
    const { settings, warnings } = await readSettingsFromDir(dir, DEFAULTS);
    expect(settings.supermaster).toBeNull();
    expect(warnings.join(' ')).toMatch(/do not fit together/);
  });

  it('saving again repairs a corrupt row', async () => {
    await rawRow(rowKey('seeding'), 'nope');
    const store = await ChunkStore.open(dir);
    try {
      writeSettings(store, readSettings(store, DEFAULTS).settings, { seeding: false });
      expect(readSettings(store, DEFAULTS)).toEqual({
        settings: { ...DEFAULTS, seeding: false },
        warnings: [],
      });
    } finally {
      store.close();
    }
  });
});
