/**
 * The app's settings service on a real store directory: a first run keeps its generated name, and a
 * damaged settings file is reported at start, never thrown and never overwritten by the start.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SETTINGS_FILE } from '../../core/store/settings-file.js';
import { silentLogger } from '../../core/util/logger.js';
import { SettingsService } from '../../electron/settings-service.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

afterEach(() => cleanupTempDirs());

describe('SettingsService.load', () => {
  it('a first run saves the defaults, so the generated name is the same next launch', async () => {
    const store = path.join(tempDir('first-run'), 'store');
    const first = await SettingsService.load(store, 'desk-aaaa', silentLogger());
    expect(first.settings.name).toBe('desk-aaaa');
    expect(first.warnings).toEqual([]);
    const again = await SettingsService.load(store, 'desk-bbbb', silentLogger());
    expect(again.settings.name).toBe('desk-aaaa');
  });

  it('a damaged settings file: defaults and a warning naming it, and the file left for repair', async () => {
    const store = tempDir('damaged');
    writeFileSync(path.join(store, SETTINGS_FILE), '{"app.settings.name": "des');
    const loaded = await SettingsService.load(store, 'desk-aaaa', silentLogger());
    expect(loaded.settings.name).toBe('desk-aaaa');
    expect(loaded.warnings[0]).toMatch(/settings\.json is not valid JSON/);
    expect(readdirSync(store)).toEqual([SETTINGS_FILE]);
    expect(readFileSync(path.join(store, SETTINGS_FILE), 'utf8')).toBe('{"app.settings.name": "des');
  });
});
