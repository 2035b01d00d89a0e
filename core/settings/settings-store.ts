/**
 * Settings persisted in the store's SQLite settings table, one row per field. One row per field means
 * a corrupt or out-of-range row costs only that field (it falls back to its default with a warning)
 * and never stops the app from starting.
 */
import { ChunkStore } from '../store/chunk-store.js';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import { LEGACY_MEGABYTE_KEYS, SETTING_KEYS, type AppSettings, type SettingKey } from './settings-model.js';
import { checkSettingsPatch, describeProblems, settingProblem } from './settings-rules.js';

/** Prefix of the rows this module owns, so other users of the settings table cannot collide. */
export const SETTINGS_ROW_PREFIX = 'app.settings.';

export interface LoadedSettings {
  settings: AppSettings;
  /** One sentence per field that fell back to its default. */
  warnings: string[];
}

export function rowKey(key: SettingKey): string {
  return SETTINGS_ROW_PREFIX + key;
}

/**
 * A size saved by an older version in decimal megabytes, as bytes; undefined when there is no such
 * row. A value that is not a megabyte count is passed on as is, for the rules to call invalid.
 */
function legacyBytes(store: ChunkStore, key: SettingKey): unknown {
  const legacyKey = (LEGACY_MEGABYTE_KEYS as Partial<Record<SettingKey, string>>)[key];
  if (legacyKey === undefined) return undefined;
  const megabytes = store.getSetting(SETTINGS_ROW_PREFIX + legacyKey);
  if (typeof megabytes !== 'number' || !Number.isFinite(megabytes)) return megabytes;
  return Math.round(megabytes * 1_000_000);
}

/** Reads every field; missing rows take the default silently, unreadable or invalid ones with a warning. */
export function readSettings(store: ChunkStore, defaults: AppSettings): LoadedSettings {
  const settings: Record<string, unknown> = { ...defaults };
  const warnings: string[] = [];
  for (const key of SETTING_KEYS) {
    let value: unknown;
    try {
      value = store.getSetting(rowKey(key)) ?? legacyBytes(store, key);
    } catch (error) {
      warnings.push(
        `Setting "${key}" in ${store.dir} could not be read (${errorMessage(error)}); using the default ${JSON.stringify(defaults[key])}. Save the settings again to repair it.`,
      );
      continue;
    }
    if (value === undefined) continue;
    const problem = settingProblem(key, value);
    if (problem !== null) {
      warnings.push(
        `Setting "${key}" in ${store.dir} is invalid (${problem}); using the default ${JSON.stringify(defaults[key])}.`,
      );
      continue;
    }
    settings[key] = value;
  }
  const merged = settings as unknown as AppSettings;
  // Fields valid one by one can still disagree (a supermaster without a master); fall back on the pair.
  const whole = checkSettingsPatch(merged, {});
  if (!whole.ok) {
    warnings.push(
      `Saved master settings do not fit together (${describeProblems(whole.problems)}); using no master and no supermaster.`,
    );
    return { settings: { ...merged, master: defaults.master, supermaster: defaults.supermaster }, warnings };
  }
  return { settings: merged, warnings };
}

/**
 * Validates `patch` over `current` and writes the result. Throws INVALID_ARGUMENT naming
 * every bad field (its context carries the field -> problem map for the settings screen).
 */
export function writeSettings(store: ChunkStore, current: AppSettings, patch: unknown): AppSettings {
  const checked = checkSettingsPatch(current, patch);
  if (!checked.ok) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `Settings not saved: ${describeProblems(checked.problems)}`,
      {
        problems: checked.problems,
      },
    );
  }
  // Every field is written, not just the changed ones: ten small upserts, and a save repairs any row
  // that had fallen back to its default.
  for (const key of SETTING_KEYS) store.setSetting(rowKey(key), checked.settings[key]);
  // Rows in the older megabyte units are superseded by the rows just written.
  for (const legacyKey of Object.values(LEGACY_MEGABYTE_KEYS))
    store.setSetting(SETTINGS_ROW_PREFIX + legacyKey, undefined);
  return checked.settings;
}

/**
 * Reads the settings before the node runs: the store is opened, read and closed again, because the
 * node takes the store's lock when it starts and the settings decide how it starts.
 */
export async function readSettingsFromDir(dir: string, defaults: AppSettings): Promise<LoadedSettings> {
  const store = await ChunkStore.open(dir);
  try {
    return readSettings(store, defaults);
  } finally {
    store.close();
  }
}
