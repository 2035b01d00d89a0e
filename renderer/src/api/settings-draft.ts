/**
 * The settings form's text fields <-> the settings the app stores. Pure, so it is tested without a
 * browser. Text that is not a number is sent as typed: the main process judges every value with
 * core/settings' rules and answers with the problem in words, shown next to the field.
 *
 * Sizes are stored in bytes and edited in the binary units the whole app writes: the cache in GiB,
 * the upload limit in MiB/s.
 */
import {
  CACHE_SIZE_UNIT,
  UPLOAD_LIMIT_UNIT,
  fromDisplayUnit,
  inDisplayUnit,
  type AppSettings,
  type DisplayUnit,
  type SettingKey,
} from '../../../core/settings/settings-model.js';
import type { SettingsPatch } from '../../../electron/ipc/contract.js';

/** A value as the form sends it: text that is not a number goes as typed, for the rules to word. */
type SettingValue = Exclude<SettingsPatch[SettingKey], undefined>;

export type SettingsDraft = {
  name: string;
  port: string;
  ip: string;
  portMapping: boolean;
  master: string;
  supermaster: string;
  publisher: string;
  cacheSizeGiB: string;
  uploadLimitMiBps: string;
  closeToTray: boolean;
  launchAtLogin: boolean;
  autoUpdate: boolean;
};

/** Every field the form edits; `seeding` is the tray's (Pause/Resume), not the form's. */
export type EditableKey = keyof SettingsDraft;

/** The setting each form field edits, so a problem reported for a setting lands on its field. */
export const SETTING_OF: Record<EditableKey, SettingKey> = {
  name: 'name',
  port: 'port',
  ip: 'ip',
  portMapping: 'portMapping',
  master: 'master',
  supermaster: 'supermaster',
  publisher: 'publisher',
  cacheSizeGiB: 'cacheSizeBytes',
  uploadLimitMiBps: 'uploadLimitBytesPerSecond',
  closeToTray: 'closeToTray',
  launchAtLogin: 'launchAtLogin',
  autoUpdate: 'autoUpdate',
};

const inUnit = (bytes: number | null, unit: DisplayUnit): string =>
  bytes === null ? '' : inDisplayUnit(bytes, unit);

export function draftFromSettings(settings: AppSettings): SettingsDraft {
  const text = (value: number | string | null): string => (value === null ? '' : String(value));
  return {
    name: settings.name,
    port: String(settings.port),
    ip: settings.ip,
    portMapping: settings.portMapping,
    master: text(settings.master),
    supermaster: text(settings.supermaster),
    publisher: text(settings.publisher),
    cacheSizeGiB: inUnit(settings.cacheSizeBytes, CACHE_SIZE_UNIT),
    uploadLimitMiBps: inUnit(settings.uploadLimitBytesPerSecond, UPLOAD_LIMIT_UNIT),
    closeToTray: settings.closeToTray,
    launchAtLogin: settings.launchAtLogin,
    autoUpdate: settings.autoUpdate,
  };
}

function numberOrText(text: string, emptyMeans: null | string): number | string | null {
  const trimmed = text.trim();
  if (trimmed === '') return emptyMeans;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

/** A size typed in `unit`, as bytes; empty is unlimited, and text that is not a number goes as typed. */
function bytesOrText(text: string, unit: DisplayUnit): number | string | null {
  const value = numberOrText(text, null);
  return typeof value === 'number' ? fromDisplayUnit(value, unit) : value;
}

/** The fields that differ from `saved`, as the values SaveSettings takes (keyed by setting). */
export function patchFromDraft(draft: SettingsDraft, saved: AppSettings): SettingsPatch {
  const unchanged = draftFromSettings(saved);
  const full: Record<EditableKey, SettingValue> = {
    name: draft.name.trim(),
    port: numberOrText(draft.port, ''),
    ip: draft.ip.trim(),
    portMapping: draft.portMapping,
    master: draft.master.trim() === '' ? null : draft.master.trim(),
    supermaster: draft.supermaster.trim() === '' ? null : draft.supermaster.trim(),
    publisher: draft.publisher.trim() === '' ? null : draft.publisher.trim().toLowerCase(),
    cacheSizeGiB: bytesOrText(draft.cacheSizeGiB, CACHE_SIZE_UNIT),
    uploadLimitMiBps: bytesOrText(draft.uploadLimitMiBps, UPLOAD_LIMIT_UNIT),
    closeToTray: draft.closeToTray,
    launchAtLogin: draft.launchAtLogin,
    autoUpdate: draft.autoUpdate,
  };
  const patch: SettingsPatch = {};
  for (const [field, value] of Object.entries(full) as Array<[EditableKey, SettingValue]>) {
    // A size shown rounded (2,000,000,000 bytes as "1.863" GiB) and left alone is not a change.
    if (draft[field] === unchanged[field]) continue;
    const key = SETTING_OF[field];
    if (value !== saved[key]) patch[key] = value;
  }
  return patch;
}
