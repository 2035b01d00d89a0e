/**
 * The store directory's settings.json: atomic owner-only writes that keep other owners' keys, bad
 * files reported (never thrown at a reader) and moved aside before anything overwrites them, and the
 * one-time carry-over from the index's settings table, from a store the previous version wrote
 * (fixtures/settings-table-store, made by fixtures/make-settings-table-store.mjs).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkStore } from '../../core/store/chunk-store.js';
import { SETTINGS_FILE, SettingsFile } from '../../core/store/settings-file.js';
import { isPeerStreamerError } from '../../core/util/errors.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'settings-table-store');

/** Every row the fixture's old settings table holds, as values. */
const FIXTURE_VALUES = JSON.parse(
  readFileSync(path.join(path.dirname(FIXTURE), 'settings-table-rows.json'), 'utf8'),
) as Record<string, unknown>;

afterEach(() => cleanupTempDirs());

/** A copy of the old version's store, so the committed fixture is never changed. */
function oldStore(): string {
  const dir = tempDir('old-store');
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

function onDisk(dir: string): unknown {
  return JSON.parse(readFileSync(path.join(dir, SETTINGS_FILE), 'utf8'));
}

function tableRows(dir: string): Record<string, string> {
  const db = new Database(path.join(dir, 'index.sqlite'), { readonly: true });
  try {
    const rows = db.prepare('SELECT key, value FROM settings').all() as Array<{ key: string; value: string }>;
    return Object.fromEntries(rows.map((row) => [row.key, row.value]));
  } finally {
    db.close();
  }
}

describe('settings.json', () => {
  it('a store with no settings reads as none, and reading creates nothing', async () => {
    const dir = path.join(tempDir('fresh'), 'not-yet');
    expect(await new SettingsFile(dir).read()).toEqual({ values: {}, problems: [] });
    expect(existsSync(dir)).toBe(false);
  });

  it('keeps JSON values, deletes on undefined, keeps keys it was not given, owner-only', async () => {
    const dir = tempDir('round-trip');
    const file = new SettingsFile(dir);
    await file.update({ ui: { tray: true, limits: [1, 2] }, 'node.id': 'x' });
    await file.update({ 'app.settings.port': 8123 });
    expect((await new SettingsFile(dir).read()).values).toEqual({
      ui: { tray: true, limits: [1, 2] },
      'node.id': 'x',
      'app.settings.port': 8123,
    });
    await file.update({ ui: undefined });
    expect(onDisk(dir)).toEqual({ 'node.id': 'x', 'app.settings.port': 8123 });
    if (process.platform !== 'win32') expect(statSync(file.file).mode & 0o777).toBe(0o600);
    // Temp file, fsync, rename: nothing but the file itself is left beside it.
    expect(readdirSync(dir)).toEqual([SETTINGS_FILE]);
  });

  it('concurrent updates in one process each keep the others’ keys', async () => {
    const dir = tempDir('concurrent');
    const file = new SettingsFile(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => file.update({ [`k${i}`]: i })));
    expect(Object.keys(onDisk(dir) as object)).toHaveLength(20);
  });

  it('corrupt JSON: reported naming the file and what to do, no values, nothing thrown', async () => {
    const dir = tempDir('corrupt');
    writeFileSync(path.join(dir, SETTINGS_FILE), '{"app.settings.port": 81');
    const { values, problems } = await new SettingsFile(dir).read();
    expect(values).toEqual({});
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(path.join(dir, SETTINGS_FILE));
    expect(problems[0]).toMatch(
      /is not valid JSON .*every setting takes its default\. Fix it by hand, or delete it/,
    );
  });

  it('a file that is not an object (wrong type) is reported as such', async () => {
    const dir = tempDir('wrong-type');
    for (const [text, word] of [
      ['[1, 2]', 'an array'],
      ['42', 'number'],
      ['null', 'null'],
      ['"port"', 'string'],
    ] as const) {
      writeFileSync(path.join(dir, SETTINGS_FILE), text);
      const { values, problems } = await new SettingsFile(dir).read();
      expect(values).toEqual({});
      expect(problems[0]).toMatch(new RegExp(`holds ${word}, not an object of setting -> value`));
    }
  });

  it('an unreadable file (a directory in its place) is reported with what to check', async () => {
    const dir = tempDir('unreadable');
    mkdirSync(path.join(dir, SETTINGS_FILE));
    const { values, problems } = await new SettingsFile(dir).read();
    expect(values).toEqual({});
    expect(problems[0]).toMatch(
      /settings file .* could not be read \(.*EISDIR.*\); every setting takes its default/,
    );
  });

  // Root reads whatever the mode says, so there the directory case above stands in for this one.
  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)(
    'a file without read permission is reported, and still moved aside by a write',
    async () => {
      const dir = tempDir('no-read');
      const file = path.join(dir, SETTINGS_FILE);
      writeFileSync(file, '{"node.id": "x"}', { mode: 0o200 });
      const { values, problems } = await new SettingsFile(dir).read();
      expect(values).toEqual({});
      expect(problems[0]).toMatch(
        /could not be read \(.*EACCES.*\).*Check that it is a file this user may read/,
      );
      await new SettingsFile(dir).update({ a: 1 });
      expect(onDisk(dir)).toEqual({ a: 1 });
    },
  );

  it('a write never goes over an unusable file: it is moved aside, whole', async () => {
    const dir = tempDir('aside');
    writeFileSync(path.join(dir, SETTINGS_FILE), '{"hand-edited": tru');
    await new SettingsFile(dir).update({ 'node.id': 'x' });
    expect(onDisk(dir)).toEqual({ 'node.id': 'x' });
    const aside = readdirSync(dir).filter((name) => name.startsWith(`${SETTINGS_FILE}.bad-`));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(dir, aside[0]!), 'utf8')).toBe('{"hand-edited": tru');
  });

  it('a store path that is a file: the write fails with STORE_NOT_WRITABLE naming it', async () => {
    const file = path.join(tempDir('file-store'), 'store');
    writeFileSync(file, 'not a directory');
    const settings = new SettingsFile(file);
    expect((await settings.read()).problems[0]).toMatch(/could not be read/);
    const error = await settings.update({ a: 1 }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isPeerStreamerError(error, 'STORE_NOT_WRITABLE')).toBe(true);
    expect((error as Error).message).toContain(file);
  });
});

describe('carrying settings over from the index of an older store', () => {
  it('the first read copies every row into settings.json, once, and leaves the table as it was', async () => {
    const dir = oldStore();
    const rowsBefore = tableRows(dir);
    expect(await new SettingsFile(dir).read()).toEqual({ values: FIXTURE_VALUES, problems: [] });
    expect(onDisk(dir)).toEqual(FIXTURE_VALUES);
    // An older PeerStreamer started on this store again still finds its settings.
    expect(tableRows(dir)).toEqual(rowsBefore);
    // From now on the file is the truth: the table is not read again.
    const db = new Database(path.join(dir, 'index.sqlite'));
    db.prepare("UPDATE settings SET value = '9999' WHERE key = 'app.settings.port'").run();
    db.close();
    expect((await new SettingsFile(dir).read()).values['app.settings.port']).toBe(8123);
    // The read-only connection leaves a store the node opens as usual.
    const store = await ChunkStore.open(dir);
    expect(store.listVideos()).toEqual([]);
    store.close();
  });

  it('an update before any read carries the rows over first', async () => {
    const dir = oldStore();
    await new SettingsFile(dir).update({ 'app.settings.port': 9000, 'app.sampleAdded': undefined });
    const { 'app.sampleAdded': dropped, ...rest } = FIXTURE_VALUES;
    expect(dropped).toBe(true);
    expect(onDisk(dir)).toEqual({ ...rest, 'app.settings.port': 9000 });
  });

  it('while a node holds the store: defaults with the reason, nothing written, carried over later', async () => {
    const dir = oldStore();
    const store = await ChunkStore.open(dir);
    try {
      const read = await new SettingsFile(dir).read();
      expect(read.values).toEqual({});
      expect(read.problems[0]).toMatch(
        /still in its index .* held open: The store .* is in use by this process/,
      );
      const error = await new SettingsFile(dir).update({ a: 1 }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(isPeerStreamerError(error, 'STORE_LOCKED')).toBe(true);
      expect(existsSync(path.join(dir, SETTINGS_FILE))).toBe(false);
    } finally {
      store.close();
    }
    expect((await new SettingsFile(dir).read()).values).toEqual(FIXTURE_VALUES);
  });

  it('a row that is not JSON is named and left out; the others come over', async () => {
    const dir = oldStore();
    const db = new Database(path.join(dir, 'index.sqlite'));
    db.prepare("UPDATE settings SET value = '{not json' WHERE key = 'app.settings.port'").run();
    db.close();
    const { values, problems } = await new SettingsFile(dir).read();
    expect(values).not.toHaveProperty('app.settings.port');
    expect(values['node.id']).toBe(FIXTURE_VALUES['node.id']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /Setting "app\.settings\.port" in the old settings table of .*index\.sqlite is not JSON/,
    );
  });

  it('a damaged index: STORE_CORRUPT in words, nothing written, the index untouched', async () => {
    const dir = tempDir('damaged');
    const garbage = Buffer.alloc(8192, 0x5a);
    writeFileSync(path.join(dir, 'index.sqlite'), garbage);
    const { values, problems } = await new SettingsFile(dir).read();
    expect(values).toEqual({});
    expect(problems[0]).toMatch(/The store index .*index\.sqlite is damaged .*Move the file aside/);
    expect(existsSync(path.join(dir, SETTINGS_FILE))).toBe(false);
    expect(readFileSync(path.join(dir, 'index.sqlite'))).toEqual(garbage);
  });
});
