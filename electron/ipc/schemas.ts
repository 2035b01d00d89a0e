/**
 * A schema per invoke channel. Payloads come from a renderer, which we treat as untrusted: shapes
 * are checked before any handler runs, and anything unexpected (extra keys, wrong types, huge
 * strings) is refused with a message saying what was expected.
 */
import path from 'node:path';
import { SETTING_KEYS, type AppSettings } from '../../core/settings/settings-model.js';
import { IpcChannel } from './channels.js';

export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

export type Schema<T> = (payload: unknown) => T;

const MAX_PATHS = 50;
const MAX_PATH_CHARS = 4096;
const MAX_URL_CHARS = 2048;
const MAX_SETTING_TEXT = 300;

function record(payload: unknown, what: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new PayloadError(`${what}: expected an object.`);
  }
  const extra = Object.keys(payload).filter((key) => !allowed.includes(key));
  if (extra.length > 0) throw new PayloadError(`${what}: unexpected field(s) ${extra.join(', ')}.`);
  return payload as Record<string, unknown>;
}

const none: Schema<void> = (payload) => {
  if (payload !== undefined) throw new PayloadError('This request takes no payload.');
};

const settingsPatch: Schema<Partial<AppSettings>> = (payload) => {
  const fields = record(payload, 'Settings', SETTING_KEYS);
  for (const [key, value] of Object.entries(fields)) {
    const ok =
      value === null ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (typeof value === 'string' && value.length <= MAX_SETTING_TEXT);
    if (!ok) throw new PayloadError(`Settings: "${key}" must be text, a number, on/off or empty.`);
  }
  // Types only; the values themselves are judged by core/settings' rules, which word the problems.
  return fields as Partial<AppSettings>;
};

const addVideos: Schema<{ paths: string[] }> = (payload) => {
  const { paths } = record(payload, 'Add videos', ['paths']);
  if (!Array.isArray(paths) || paths.length === 0 || paths.length > MAX_PATHS) {
    throw new PayloadError(`Add videos: expected "paths", a list of 1 to ${MAX_PATHS} files.`);
  }
  for (const file of paths) {
    if (
      typeof file !== 'string' ||
      file.length === 0 ||
      file.length > MAX_PATH_CHARS ||
      file.includes('\0') ||
      !path.isAbsolute(file)
    ) {
      throw new PayloadError(`Add videos: ${JSON.stringify(file)} is not an absolute file path.`);
    }
  }
  return { paths: paths as string[] };
};

const openExternal: Schema<{ url: string }> = (payload) => {
  const { url } = record(payload, 'Open link', ['url']);
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_URL_CHARS) {
    throw new PayloadError(`Open link: expected "url", text of at most ${MAX_URL_CHARS} characters.`);
  }
  return { url };
};

const watching: Schema<{ watching: boolean }> = (payload) => {
  const { watching: value } = record(payload, 'Watching', ['watching']);
  if (typeof value !== 'boolean') throw new PayloadError('Watching: expected "watching", true or false.');
  return { watching: value };
};

/** Payload type per invoke channel, and the schema that produces it. */
export const INVOKE_SCHEMAS = {
  [IpcChannel.GetSettings]: none,
  [IpcChannel.SaveSettings]: settingsPatch,
  [IpcChannel.ClearCache]: none,
  [IpcChannel.PickVideos]: none,
  [IpcChannel.AddVideos]: addVideos,
  [IpcChannel.OpenExternal]: openExternal,
  [IpcChannel.GetUpdateStatus]: none,
  [IpcChannel.InstallUpdate]: none,
  [IpcChannel.ReportWatching]: watching,
} satisfies Partial<Record<IpcChannel, Schema<unknown>>>;

export type InvokeChannel = keyof typeof INVOKE_SCHEMAS;
export type PayloadOf<C extends InvokeChannel> = ReturnType<(typeof INVOKE_SCHEMAS)[C]>;
