/**
 * Validation of every setting, with the problem in words. Pure (no Node, no DOM), so any process can
 * run it; the node glue additionally passes the result through the CLI's own flag parser, so the app
 * and `peerstreamer node` can never disagree on what a valid node is.
 */
import {
  CACHE_SIZE_UNIT,
  SETTING_KEYS,
  UPLOAD_LIMIT_UNIT,
  inDisplayUnit,
  type AppSettings,
  type DisplayUnit,
  type SettingKey,
  type SettingsProblems,
} from './settings-model.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$/;
const TCP = /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[^:/[\]\s]+):(\d{1,5})$/;
/** A pebibyte: anything larger is a typo, not a cache. */
const MAX_CACHE_BYTES = 2 ** 50;
/** 100 GiB/s: far above any link, so only typos are refused. */
const MAX_UPLOAD_BYTES_PER_SECOND = 100 * 2 ** 30;

type Rule = (value: unknown) => string | null;

function tcpProblem(what: string, value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') return `${what} must be text like tcp://192.0.2.10:7999, or empty for none.`;
  const match = TCP.exec(value.trim());
  if (!match)
    return `${what} "${value}" is not an address: write tcp://host:port, e.g. tcp://192.0.2.10:7999.`;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return `${what} "${value}" has port ${port}; use a port from 1 to 65535.`;
  return null;
}

/** A byte count, judged and described in the unit the settings screen shows it in. */
function limitProblem(what: string, unit: DisplayUnit, maxBytes: number, value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    return `${what} must be a number of ${unit.label} greater than zero, or empty for unlimited.`;
  }
  if (value > maxBytes) {
    return `${what} ${inDisplayUnit(value, unit)} ${unit.label} is larger than ${inDisplayUnit(maxBytes, unit)} ${unit.label}; check the number.`;
  }
  return null;
}

function booleanRule(what: string): Rule {
  return (value) => (typeof value === 'boolean' ? null : `${what} must be on or off.`);
}

const RULES: Record<SettingKey, Rule> = {
  name: (value) =>
    typeof value === 'string' && NAME.test(value)
      ? null
      : `Name ${JSON.stringify(value)} is not valid: use 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit.`,
  port: (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535
      ? null
      : `Port ${JSON.stringify(value)} is not valid: use a whole number from 1 to 65535.`,
  ip: (value) =>
    typeof value === 'string' && HOST.test(value)
      ? null
      : `Address ${JSON.stringify(value)} is not valid: give the IP address or host name other nodes use to reach this one, e.g. 192.0.2.20.`,
  master: (value) => tcpProblem('Master', value),
  supermaster: (value) => tcpProblem('Supermaster', value),
  cacheSizeBytes: (value) => limitProblem('Cache size', CACHE_SIZE_UNIT, MAX_CACHE_BYTES, value),
  uploadLimitBytesPerSecond: (value) =>
    limitProblem('Upload limit', UPLOAD_LIMIT_UNIT, MAX_UPLOAD_BYTES_PER_SECOND, value),
  closeToTray: booleanRule('Keep seeding after closing the window'),
  launchAtLogin: booleanRule('Launch at login'),
  seeding: booleanRule('Seeding'),
  autoUpdate: booleanRule('Install updates'),
};

/** What is wrong with one value, or null. */
export function settingProblem(key: SettingKey, value: unknown): string | null {
  return RULES[key](value);
}

export type SettingsCheck = { ok: true; settings: AppSettings } | { ok: false; problems: SettingsProblems };

/**
 * Applies `patch` (any subset of the fields, e.g. straight from the settings screen) over `current`
 * and checks the result as a whole. Unknown fields are refused so a typo is not silently ignored.
 */
export function checkSettingsPatch(current: AppSettings, patch: unknown): SettingsCheck {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    return { ok: false, problems: { name: 'Settings must be an object of field -> value.' } };
  }
  const problems: SettingsProblems = {};
  const next: Record<string, unknown> = { ...current };
  for (const [key, raw] of Object.entries(patch)) {
    if (!(SETTING_KEYS as readonly string[]).includes(key)) {
      // Reported against `name` only because the problem map is keyed by known fields.
      problems.name ??= `"${key}" is not a setting; known settings are ${SETTING_KEYS.join(', ')}.`;
      continue;
    }
    const value =
      typeof raw === 'string' && (key === 'master' || key === 'supermaster') ? blankToNull(raw) : raw;
    const problem = settingProblem(key as SettingKey, value);
    if (problem !== null) problems[key as SettingKey] = problem;
    else next[key] = typeof value === 'string' ? value.trim() : value;
  }
  const merged = next as unknown as AppSettings;
  if (problems.supermaster === undefined && merged.supermaster !== null && merged.master === null) {
    problems.supermaster =
      'A supermaster is the fallback for a master: set a master first, or clear the supermaster.';
  }
  if (
    problems.supermaster === undefined &&
    merged.supermaster !== null &&
    merged.supermaster === merged.master
  ) {
    problems.supermaster = 'The supermaster must be a different node from the master, or empty.';
  }
  return Object.keys(problems).length > 0 ? { ok: false, problems } : { ok: true, settings: merged };
}

function blankToNull(text: string): string | null {
  return text.trim() === '' ? null : text;
}

/** One sentence naming every bad field, for logs and thrown errors. */
export function describeProblems(problems: SettingsProblems): string {
  return Object.values(problems).join(' ');
}
