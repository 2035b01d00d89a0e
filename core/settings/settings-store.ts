/**
 * The app's settings in the store directory's settings.json (core/store/settings-file.ts), one key
 * per field. One key per field means a corrupt or out-of-range value costs only that field (it falls
 * back to its default with a warning), and a file that cannot be read at all costs only the settings:
 * neither ever stops the app from starting.
 */
import { SettingsFile } from '../store/settings-file.js';
import { PeerStreamerError } from '../util/errors.js';
import { LEGACY_MEGABYTE_KEYS, SETTING_KEYS, type AppSettings, type SettingKey } from './settings-model.js';
import { checkSettingsPatch, describeProblems, settingProblem } from './settings-rules.js';

/** Prefix of the keys this module owns, so the file's other owners (the node id) cannot collide. */
export const SETTINGS_KEY_PREFIX = 'app.settings.';

export interface LoadedSettings {
  settings: AppSettings;
  /** One sentence per field that fell back to its default, or per problem with the file. */
  warnings: string[];
  /** Nothing saved yet and nothing wrong: a first run. */
  firstRun: boolean;
}

export function settingKey(key: SettingKey): string {
  return SETTINGS_KEY_PREFIX + key;
}

const LEGACY_KEYS = new Set<string>(Object.values(LEGACY_MEGABYTE_KEYS));

/**
 * A size saved by an older version in decimal megabytes, as bytes; undefined when there is no such
 * key. A value that is not a megabyte count is passed on as is, for the rules to call invalid.
 */
function legacyBytes(values: Record<string, unknown>, key: SettingKey): unknown {
  const legacyKey = (LEGACY_MEGABYTE_KEYS as Partial<Record<SettingKey, string>>)[key];
  if (legacyKey === undefined) return undefined;
  const megabytes = values[SETTINGS_KEY_PREFIX + legacyKey];
  if (typeof megabytes !== 'number' || !Number.isFinite(megabytes)) return megabytes;
  return Math.round(megabytes * 1_000_000);
}

/** Reads every field; missing ones take the default silently, unreadable or invalid ones with a warning. */
export async function readSettings(file: SettingsFile, defaults: AppSettings): Promise<LoadedSettings> {
  const { values, problems } = await file.read();
  const settings: Record<string, unknown> = { ...defaults };
  const warnings = [...problems];
  for (const stored of Object.keys(values)) {
    if (!stored.startsWith(SETTINGS_KEY_PREFIX)) continue;
    const field = stored.slice(SETTINGS_KEY_PREFIX.length);
    if ((SETTING_KEYS as readonly string[]).includes(field) || LEGACY_KEYS.has(field)) continue;
    warnings.push(
      `${JSON.stringify(stored)} in ${file.file} is not a setting this version knows (known settings are ${SETTING_KEYS.join(', ')}); it is ignored and kept as it is.`,
    );
  }
  for (const key of SETTING_KEYS) {
    const value = Object.hasOwn(values, settingKey(key)) ? values[settingKey(key)] : legacyBytes(values, key);
    if (value === undefined) continue;
    const problem = settingProblem(key, value);
    if (problem !== null) {
      warnings.push(
        `Setting "${key}" in ${file.file} is invalid (${problem}); using the default ${JSON.stringify(defaults[key])}. Save the settings again to repair it.`,
      );
      continue;
    }
    settings[key] = value;
  }
  const merged = settings as unknown as AppSettings;
  const firstRun = problems.length === 0 && !Object.hasOwn(values, settingKey('name'));
  // Fields valid one by one can still disagree (a supermaster without a master); fall back on the pair.
  const whole = checkSettingsPatch(merged, {});
  if (!whole.ok) {
    warnings.push(
      `Saved master settings do not fit together (${describeProblems(whole.problems)}); using no master and no supermaster.`,
    );
    return {
      settings: { ...merged, master: defaults.master, supermaster: defaults.supermaster },
      warnings,
      firstRun,
    };
  }
  return { settings: merged, warnings, firstRun };
}

/**
 * Validates `patch` over `current` and writes the result. Throws INVALID_ARGUMENT naming
 * every bad field (its context carries the field -> problem map for the settings screen), or the
 * settings file's error when it cannot be written.
 */
export async function writeSettings(
  file: SettingsFile,
  current: AppSettings,
  patch: unknown,
): Promise<AppSettings> {
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
  // Every field is written, not just the changed ones, so a save repairs any field that had fallen
  // back to its default.
  const changes: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) changes[settingKey(key)] = checked.settings[key];
  // Values in the older megabyte units are superseded by the ones just written.
  for (const legacyKey of LEGACY_KEYS) changes[SETTINGS_KEY_PREFIX + legacyKey] = undefined;
  await file.update(changes);
  return checked.settings;
}

/** Reads the settings of the store in `dir`, without opening the store (which a running node holds). */
export function readSettingsFromDir(dir: string, defaults: AppSettings): Promise<LoadedSettings> {
  return readSettings(new SettingsFile(dir), defaults);
}
