/**
 * The settings screen's patch, as the main process takes it over IPC: known fields only, each plain
 * text (bounded), a number, on/off or empty. Only the shape is checked here; what the values mean
 * is judged by core/settings' schemas, which answer with a problem per field for the screen rather
 * than refusing the call. A file of its own, free of Node, so the contract infers `SettingsPatch`
 * from it: the renderer type-checks the contract and what it imports, without Node's types.
 */
import * as v from 'valibot';
import { SETTING_KEYS, type SettingKey } from '../../core/settings/settings-model.js';
import { payloadObject } from './payload-object.js';

/** Far above any valid setting's text, so only garbage is refused before the rules see it. */
const MAX_SETTING_TEXT = 300;

function settingValue(key: SettingKey) {
  const words = `Settings: "${key}" must be text, a number, on/off or empty.`;
  return v.union(
    [
      v.null(),
      v.boolean(),
      v.pipe(v.number(), v.finite(words)),
      v.pipe(v.string(), v.maxLength(MAX_SETTING_TEXT, words)),
    ],
    words,
  );
}

// exactOptional: a field may be left out, but one sent as undefined is refused like any bad value.
const entries = Object.fromEntries(
  SETTING_KEYS.map((key) => [key, v.exactOptional(settingValue(key))]),
) as Record<SettingKey, v.ExactOptionalSchema<ReturnType<typeof settingValue>, undefined>>;

export const settingsPatch = payloadObject('Settings', entries);

/** Any subset of the settings, with values as typed: text where a number belongs is the rules' to word. */
export type SettingsPatch = v.InferOutput<typeof settingsPatch>;
