/**
 * The settings form's text fields <-> the settings the app stores. Pure, so it is tested without a
 * browser. Text that is not a number is sent as typed: the main process judges every value with
 * core/settings' rules and answers with the problem in words, shown next to the field.
 */
import type { AppSettings } from '../../../core/settings/settings-model.js';

export type SettingsDraft = {
  name: string;
  port: string;
  ip: string;
  master: string;
  supermaster: string;
  cacheSizeMB: string;
  uploadLimitMBps: string;
  closeToTray: boolean;
  launchAtLogin: boolean;
  autoUpdate: boolean;
};

/** Every field the form edits; `seeding` is the tray's (Pause/Resume), not the form's. */
export type EditableKey = keyof SettingsDraft;

export function draftFromSettings(settings: AppSettings): SettingsDraft {
  const text = (value: number | string | null): string => (value === null ? '' : String(value));
  return {
    name: settings.name,
    port: String(settings.port),
    ip: settings.ip,
    master: text(settings.master),
    supermaster: text(settings.supermaster),
    cacheSizeMB: text(settings.cacheSizeMB),
    uploadLimitMBps: text(settings.uploadLimitMBps),
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

/** The fields that differ from `saved`, as the values SaveSettings takes. */
export function patchFromDraft(draft: SettingsDraft, saved: AppSettings): Record<string, unknown> {
  const full: Record<EditableKey, unknown> = {
    name: draft.name.trim(),
    port: numberOrText(draft.port, ''),
    ip: draft.ip.trim(),
    master: draft.master.trim() === '' ? null : draft.master.trim(),
    supermaster: draft.supermaster.trim() === '' ? null : draft.supermaster.trim(),
    cacheSizeMB: numberOrText(draft.cacheSizeMB, null),
    uploadLimitMBps: numberOrText(draft.uploadLimitMBps, null),
    closeToTray: draft.closeToTray,
    launchAtLogin: draft.launchAtLogin,
    autoUpdate: draft.autoUpdate,
  };
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(full)) {
    if (value !== saved[key as EditableKey]) patch[key] = value;
  }
  return patch;
}
