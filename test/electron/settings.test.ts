import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { SETTINGS_FILE, SettingsFile } from '../../core/store/settings-file.js';
import { defaultSettings, type AppSettings } from '../../core/settings/settings-model.js';
import { checkSettingsPatch, describeProblems, settingProblem } from '../../core/settings/settings-rules.js';
import type { appSettingsSchema } from '../../core/settings/settings-schema.js';
import {
  readSettings,
  readSettingsFromDir,
  settingKey,
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

  it('takes a publisher key below a master, as --publisher does, and says what is wrong with a bad one', () => {
    const key = 'y2ujubzakzyluyjd7yv4mvevt2s2twz5bpb6xgtoc6hibs22sotq';
    const pinned = checkSettingsPatch(DEFAULTS, {
      master: 'tcp://192.0.2.10:7999',
      publisher: ` ${key.toUpperCase()} `,
    });
    expect(pinned.ok && pinned.settings.publisher).toBe(key);
    expect(pinned.ok && nodeConfigFromSettings(pinned.settings, '/tmp/store').publisher).toBe(key);
    const blank = checkSettingsPatch(DEFAULTS, { master: 'tcp://192.0.2.10:7999', publisher: '  ' });
    expect(blank.ok && blank.settings.publisher).toBeNull();
    const short = checkSettingsPatch(DEFAULTS, { master: 'tcp://192.0.2.10:7999', publisher: 'abc' });
    expect(!short.ok && short.problems.publisher).toBe(
      `Publisher key "abc" is not valid: paste the whole key (52 characters, a-z and 2-7) from the source's ready line or stats, or leave it empty to trust the one your master vouches for.`,
    );
    const onSource = checkSettingsPatch(DEFAULTS, { publisher: key });
    expect(!onSource.ok && onSource.problems.publisher).toMatch(
      /a source publishes under its own key\. Set a master, or clear the publisher key\./,
    );
  });

  it('words every problem as the settings screen shows it', () => {
    const problem = (patch: unknown): string => {
      const checked = checkSettingsPatch(DEFAULTS, patch);
      return checked.ok ? 'ok' : describeProblems(checked.problems);
    };
    expect(problem([])).toBe('Settings must be an object of field -> value.');
    expect(problem({ colour: 'blue', shade: 1 })).toBe(
      '"colour" is not a setting; known settings are name, port, ip, portMapping, master, supermaster, publisher, cacheSizeBytes, uploadLimitBytesPerSecond, closeToTray, launchAtLogin, seeding, autoUpdate.',
    );
    expect(problem({ name: 'a'.repeat(101) })).toBe(
      `Name "${'a'.repeat(101)}" is not valid: use 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit.`,
    );
    expect(problem({ port: '' })).toBe('Port "" is not valid: use a whole number from 1 to 65535.');
    expect(problem({ port: 0.5 })).toBe('Port 0.5 is not valid: use a whole number from 1 to 65535.');
    expect(problem({ ip: 'host-' })).toBe(
      'Address "host-" is not valid: give the IP address or host name other nodes use to reach this one, e.g. 192.0.2.20.',
    );
    expect(problem({ master: 7999 })).toBe(
      'Master must be text like tcp://192.0.2.10:7999, or empty for none.',
    );
    expect(problem({ master: ' tcp://h ' })).toBe(
      'Master " tcp://h " is not an address: write tcp://host:port, e.g. tcp://192.0.2.10:7999.',
    );
    expect(problem({ master: 'tcp://h:70000' })).toBe(
      'Master "tcp://h:70000" has port 70000; use a port from 1 to 65535.',
    );
    expect(problem({ master: 'tcp://h:1', supermaster: 'tcp://h:0' })).toBe(
      'Supermaster "tcp://h:0" has port 0; use a port from 1 to 65535.',
    );
    expect(problem({ supermaster: 'tcp://h:1' })).toBe(
      'A supermaster is the fallback for a master: set a master first, or clear the supermaster.',
    );
    expect(problem({ master: 'tcp://h:1', supermaster: ' tcp://h:1 ' })).toBe(
      'The supermaster must be a different node from the master, or empty.',
    );
    expect(problem({ cacheSizeBytes: 0 })).toBe(
      'Cache size must be a number of GiB greater than zero, or empty for unlimited.',
    );
    expect(problem({ uploadLimitBytesPerSecond: 100 * 2 ** 30 + 1 })).toBe(
      'Upload limit 102400 MiB/s is larger than 102400 MiB/s; check the number.',
    );
    expect(problem({ portMapping: 'yes' })).toBe(
      'Open my port on the router (UPnP/NAT-PMP) must be on or off.',
    );
    expect(problem({ closeToTray: 1, launchAtLogin: 'no', seeding: null, autoUpdate: undefined })).toBe(
      'Keep seeding after closing the window must be on or off. Launch at login must be on or off. Seeding must be on or off. Install updates must be on or off.',
    );
    // In the order the fields came; a field's own problem before the fields disagreeing.
    expect(problem({ supermaster: 'tcp://h:1', port: 0, name: '' })).toBe(
      "Port 0 is not valid: use a whole number from 1 to 65535. Name \"\" is not valid: use 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit. A supermaster is the fallback for a master: set a master first, or clear the supermaster.",
    );
  });

  it('checks the settings it patches as well, so a bad one is never saved', () => {
    const checked = checkSettingsPatch({ ...DEFAULTS, port: 0 }, { seeding: false });
    expect(!checked.ok && checked.problems).toEqual({
      port: 'Port 0 is not valid: use a whole number from 1 to 65535.',
    });
  });

  it('the settings schema is AppSettings, field for field', () => {
    expectTypeOf<v.InferOutput<typeof appSettingsSchema>>().toEqualTypeOf<AppSettings>();
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
      // The app opens its port on the router by default, where `peerstreamer node` does not.
      portMapping: true,
    });
    expect(nodeConfigFromSettings({ ...DEFAULTS, portMapping: false }, '/tmp/store').portMapping).toBe(false);
  });
});

describe('settings persistence (the store directory’s settings.json)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ps-settings-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const saved = async (patch: Partial<AppSettings>): Promise<void> => {
    await writeSettings(new SettingsFile(dir), DEFAULTS, patch);
  };

  /** Puts a value in the file as a hand edit, a bad disk or another version might have left it. */
  const rawValue = async (key: string, value: unknown): Promise<void> => {
    await new SettingsFile(dir).update({ [key]: value });
  };

  it('an empty store reads as the defaults, without warnings: a first run', async () => {
    expect(await readSettingsFromDir(dir, DEFAULTS)).toEqual({
      settings: DEFAULTS,
      warnings: [],
      firstRun: true,
    });
  });

  it('saved values survive reading them back', async () => {
    await saved({
      port: 8123,
      master: 'tcp://192.0.2.10:7999',
      uploadLimitBytesPerSecond: 3 * 2 ** 20,
      closeToTray: false,
    });
    const { settings, warnings, firstRun } = await readSettingsFromDir(dir, DEFAULTS);
    expect(warnings).toEqual([]);
    expect(firstRun).toBe(false);
    expect(settings).toEqual({
      ...DEFAULTS,
      port: 8123,
      master: 'tcp://192.0.2.10:7999',
      uploadLimitBytesPerSecond: 3 * 2 ** 20,
      closeToTray: false,
    });
  });

  it('bad values are refused with every problem named, and nothing is saved', async () => {
    const file = new SettingsFile(dir);
    const thrown = await writeSettings(file, DEFAULTS, { port: 8123, cacheSizeBytes: 0, name: '' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isPeerStreamerError(thrown, 'INVALID_ARGUMENT')).toBe(true);
    expect((thrown as Error).message).toMatch(/^Settings not saved: /);
    expect((thrown as Error).message).toMatch(/Name "" is not valid/);
    expect((thrown as Error).message).toMatch(/Cache size must be a number of GiB greater than zero/);
    expect((await readSettings(file, DEFAULTS)).settings).toEqual(DEFAULTS);
  });

  it('a corrupt file: every field takes its default, one warning names the file, never a crash', async () => {
    await saved({ port: 8123 });
    await writeFile(path.join(dir, SETTINGS_FILE), '{"app.settings.port": 81');
    const { settings, warnings, firstRun } = await readSettingsFromDir(dir, DEFAULTS);
    expect(settings).toEqual(DEFAULTS);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(path.join(dir, SETTINGS_FILE));
    expect(warnings[0]).toMatch(/is not valid JSON/);
    // Not a first run: the app must not save defaults over a file the user may still repair.
    expect(firstRun).toBe(false);
  });

  it('saving over a corrupt file keeps the damaged one beside it', async () => {
    await writeFile(path.join(dir, SETTINGS_FILE), 'garbage');
    await saved({ seeding: false });
    expect((await readSettingsFromDir(dir, DEFAULTS)).settings.seeding).toBe(false);
    const aside = (await readdir(dir)).filter((name) => name.startsWith(`${SETTINGS_FILE}.bad-`));
    expect(await readFile(path.join(dir, aside[0]!), 'utf8')).toBe('garbage');
  });

  it('a value of the wrong type falls back to that field’s default, naming it', async () => {
    await rawValue(settingKey('port'), '8123');
    await rawValue(settingKey('closeToTray'), 'sometimes');
    await rawValue(settingKey('name'), { evil: true });
    await rawValue(settingKey('master'), 7999);
    const { settings, warnings } = await readSettingsFromDir(dir, DEFAULTS);
    expect(settings).toEqual(DEFAULTS);
    expect(warnings.map((warning) => warning.match(/Setting "(\w+)"/)?.[1])).toEqual([
      'name',
      'port',
      'master',
      'closeToTray',
    ]);
    expect(warnings[1]).toMatch(/Setting "port" in .*settings\.json is invalid .*using the default 7780/);
  });

  it('unknown keys: named in a warning and kept; other owners’ keys pass unremarked', async () => {
    await rawValue(settingKey('cahceSizeBytes' as never), 5);
    await rawValue('node.id', '0123456789abcdef0123456789abcdef');
    await saved({ port: 8123 });
    const { settings, warnings } = await readSettingsFromDir(dir, DEFAULTS);
    expect(settings.port).toBe(8123);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/"app\.settings\.cahceSizeBytes" in .* is not a setting this version knows/);
    const onDisk = JSON.parse(await readFile(path.join(dir, SETTINGS_FILE), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(onDisk).toMatchObject({
      'app.settings.cahceSizeBytes': 5,
      'node.id': '0123456789abcdef0123456789abcdef',
    });
  });

  it('a supermaster saved without its master falls back to no master at all', async () => {
    await rawValue(settingKey('supermaster'), 'tcp://192.0.2.11:7999');
    const { settings, warnings } = await readSettingsFromDir(dir, DEFAULTS);
    expect(settings.supermaster).toBeNull();
    expect(warnings.join(' ')).toMatch(/do not fit together/);
  });

  it('saving again repairs a bad value', async () => {
    await rawValue(settingKey('seeding'), 'nope');
    const file = new SettingsFile(dir);
    await writeSettings(file, (await readSettings(file, DEFAULTS)).settings, { seeding: false });
    expect(await readSettings(file, DEFAULTS)).toEqual({
      settings: { ...DEFAULTS, seeding: false },
      warnings: [],
      firstRun: false,
    });
  });

  it('settings an older version kept in the store’s index are carried over on the first read', async () => {
    const fixture = fileURLToPath(new URL('../store/fixtures/settings-table-store', import.meta.url));
    await cp(fixture, dir, { recursive: true });
    const { settings, warnings, firstRun } = await readSettingsFromDir(dir, DEFAULTS);
    expect(warnings).toEqual([]);
    expect(firstRun).toBe(false);
    expect(settings).toEqual({
      name: 'desk-7f3a',
      port: 8123,
      ip: '192.0.2.20',
      // That version had no port-mapping setting: the default, on.
      portMapping: true,
      master: 'tcp://192.0.2.10:7999',
      supermaster: null,
      // That version had no publisher setting: the default, the master's.
      publisher: null,
      // That version's row in decimal megabytes.
      cacheSizeBytes: 2_000_000_000,
      uploadLimitBytesPerSecond: 3145728,
      closeToTray: false,
      launchAtLogin: true,
      seeding: true,
      autoUpdate: false,
    });
  });
});
