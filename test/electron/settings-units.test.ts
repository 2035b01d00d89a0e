/**
 * Sizes in the desktop settings follow the app's one unit convention: stored in bytes, shown and
 * typed in binary units (cache in GiB, upload limit in MiB/s), problems in those units; settings an
 * older version saved in decimal megabytes are still read, also from the index of a store made before
 * settings.json. Real SQLite store in a temp dir.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChunkStore } from '../../core/store/chunk-store.js';
import { SETTINGS_FILE, SettingsFile } from '../../core/store/settings-file.js';
import { defaultSettings, inDisplayUnit, CACHE_SIZE_UNIT } from '../../core/settings/settings-model.js';
import { checkSettingsPatch, settingProblem } from '../../core/settings/settings-rules.js';
import {
  SETTINGS_KEY_PREFIX,
  readSettingsFromDir,
  writeSettings,
} from '../../core/settings/settings-store.js';
import { draftFromSettings, patchFromDraft } from '../../renderer/src/api/settings-draft.js';

const DEFAULTS = defaultSettings('desk');
const GiB = 2 ** 30;
const MiB = 2 ** 20;

describe('size settings in binary units', () => {
  it('the form shows bytes in GiB and MiB/s, and sends what is typed there as bytes', () => {
    const saved = { ...DEFAULTS, cacheSizeBytes: 1.5 * GiB, uploadLimitBytesPerSecond: 512 * 1024 };
    const draft = draftFromSettings(saved);
    expect(draft).toMatchObject({ cacheSizeGiB: '1.5', uploadLimitMiBps: '0.5' });
    expect(patchFromDraft({ ...draft, cacheSizeGiB: ' 20 ', uploadLimitMiBps: '2.25' }, saved)).toEqual({
      cacheSizeBytes: 20 * GiB,
      uploadLimitBytesPerSecond: 2.25 * MiB,
    });
    expect(patchFromDraft({ ...draft, cacheSizeGiB: '', uploadLimitMiBps: '' }, saved)).toEqual({
      cacheSizeBytes: null,
      uploadLimitBytesPerSecond: null,
    });
  });

  it('a size that does not fit the shown decimals is not changed by an untouched form', () => {
    // 2,000,000,000 bytes (an old "2000 MB") shows as 1.863 GiB; saving the form must keep it exact.
    const saved = { ...DEFAULTS, cacheSizeBytes: 2_000_000_000 };
    expect(draftFromSettings(saved).cacheSizeGiB).toBe('1.863');
    expect(patchFromDraft(draftFromSettings(saved), saved)).toEqual({});
  });

  it('problems name the unit the field is typed in', () => {
    const saved = { ...DEFAULTS };
    const typed = patchFromDraft(
      { ...draftFromSettings(saved), cacheSizeGiB: '2 GB', uploadLimitMiBps: '-1' },
      saved,
    );
    expect(typed).toEqual({ cacheSizeBytes: '2 GB', uploadLimitBytesPerSecond: -MiB });
    const checked = checkSettingsPatch(saved, typed);
    expect(!checked.ok && checked.problems).toEqual({
      cacheSizeBytes: 'Cache size must be a number of GiB greater than zero, or empty for unlimited.',
      uploadLimitBytesPerSecond:
        'Upload limit must be a number of MiB/s greater than zero, or empty for unlimited.',
    });
    expect(settingProblem('cacheSizeBytes', 2 ** 51)).toBe(
      'Cache size 2097152 GiB is larger than 1048576 GiB; check the number.',
    );
    expect(settingProblem('uploadLimitBytesPerSecond', 200 * GiB)).toMatch(
      /^Upload limit 204800 MiB\/s is larger than 102400 MiB\/s/,
    );
    // Settings hold whole bytes: anything else did not come from the form.
    expect(settingProblem('cacheSizeBytes', 1.5)).toMatch(/must be a number of GiB/);
    expect(settingProblem('cacheSizeBytes', GiB)).toBeNull();
    expect(inDisplayUnit(GiB / 3, CACHE_SIZE_UNIT)).toBe('0.333');
  });
});

describe('settings saved by an older version in decimal megabytes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ps-settings-units-'));
    (await ChunkStore.open(dir)).close();
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** A row in the index's old settings table, carried over to settings.json on the first read. */
  const rawRow = (key: string, json: string): void => {
    const db = new Database(path.join(dir, 'index.sqlite'));
    try {
      db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(SETTINGS_KEY_PREFIX + key, json);
    } finally {
      db.close();
    }
  };
  const savedKeys = async (): Promise<string[]> =>
    Object.keys(JSON.parse(await readFile(path.join(dir, SETTINGS_FILE), 'utf8')) as object);

  it('are read as the bytes they meant (1 MB = 10^6 bytes)', async () => {
    rawRow('cacheSizeMB', '2000');
    rawRow('uploadLimitMBps', '1.5');
    const { settings, warnings } = await readSettingsFromDir(dir, DEFAULTS);
    expect(warnings).toEqual([]);
    expect(settings).toMatchObject({ cacheSizeBytes: 2_000_000_000, uploadLimitBytesPerSecond: 1_500_000 });
  });

  it('an unlimited old value stays unlimited; a bad one falls back with a warning', async () => {
    rawRow('cacheSizeMB', 'null');
    rawRow('uploadLimitMBps', '"fast"');
    const { settings, warnings } = await readSettingsFromDir(dir, DEFAULTS);
    expect(settings).toMatchObject({ cacheSizeBytes: null, uploadLimitBytesPerSecond: null });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Setting "uploadLimitBytesPerSecond" .* is invalid \(Upload limit must be/);
  });

  it('are replaced by byte rows on the next save, which win from then on', async () => {
    rawRow('cacheSizeMB', '2000');
    await writeSettings(new SettingsFile(dir), DEFAULTS, { cacheSizeBytes: 3 * GiB });
    expect(await savedKeys()).not.toContain(`${SETTINGS_KEY_PREFIX}cacheSizeMB`);
    expect(await savedKeys()).toContain(`${SETTINGS_KEY_PREFIX}cacheSizeBytes`);
    expect((await readSettingsFromDir(dir, DEFAULTS)).settings.cacheSizeBytes).toBe(3 * GiB);
  });
});
