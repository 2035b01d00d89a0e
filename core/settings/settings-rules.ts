/**
 * A settings patch checked against the settings schemas (settings-schema.ts), with every problem in
 * words, keyed by field for the settings screen. Pure (no Node, no DOM), so any process can run it.
 */
import * as v from 'valibot';
import { firstMessage } from '../shared/schema.js';
import { SETTING_KEYS, type AppSettings, type SettingKey, type SettingsProblems } from './settings-model.js';
import { PATCH_SCHEMAS, SETTING_SCHEMAS, appSettingsSchema } from './settings-schema.js';

/** What is wrong with one value, or null. */
export function settingProblem(key: SettingKey, value: unknown): string | null {
  const checked = firstMessage(SETTING_SCHEMAS[key], value);
  return 'message' in checked ? checked.message : null;
}

export type SettingsCheck = { ok: true; settings: AppSettings } | { ok: false; problems: SettingsProblems };

function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as readonly string[]).includes(key);
}

/**
 * Applies `patch` (any subset of the fields, e.g. straight from the settings screen) over `current`
 * and checks the result as a whole. Unknown fields are refused so a typo is not silently ignored.
 *
 * The patch is walked field by field rather than parsed as one object, because the screen needs one
 * problem for every bad field, in the order the fields came, with unknown fields reported against
 * `name`; and the fields that pass are merged over `current` before the whole is checked (fields
 * that must agree, by appSettingsSchema). Each value is judged by its field's schema all the same.
 */
export function checkSettingsPatch(current: AppSettings, patch: unknown): SettingsCheck {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    return { ok: false, problems: { name: 'Settings must be an object of field -> value.' } };
  }
  const problems: SettingsProblems = {};
  const next: Record<string, unknown> = { ...current };
  for (const [key, raw] of Object.entries(patch)) {
    if (!isSettingKey(key)) {
      // Reported against `name` only because the problem map is keyed by known fields.
      problems.name ??= `"${key}" is not a setting; known settings are ${SETTING_KEYS.join(', ')}.`;
      continue;
    }
    const checked = firstMessage(PATCH_SCHEMAS[key], raw);
    if ('message' in checked) problems[key] = checked.message;
    else next[key] = checked.output;
  }
  const whole = v.safeParse(appSettingsSchema, next, { abortPipeEarly: true });
  if (whole.success && Object.keys(problems).length === 0) return { ok: true, settings: whole.output };
  // A field's own problem is the one to show; what is left is the fields disagreeing (or, were
  // `current` itself bad, its field: never saved, and shown where the user can fix it).
  for (const issue of whole.issues ?? []) {
    const key = issue.path?.[0]?.key;
    problems[typeof key === 'string' && isSettingKey(key) ? key : 'name'] ??= issue.message;
  }
  return { ok: false, problems };
}

/** One sentence naming every bad field, for logs and thrown errors. */
export function describeProblems(problems: SettingsProblems): string {
  return Object.values(problems).join(' ');
}
