/**
 * A valibot schema per invoke channel; the handlers' payload types are inferred from them. Payloads
 * come from a renderer, which we treat as untrusted: shapes are checked before any handler runs, and
 * anything unexpected (extra keys, wrong types, huge strings) is refused with a PayloadError saying
 * what was expected. Each schema's messages are whole sentences, shown as they are.
 */
import path from 'node:path';
import * as v from 'valibot';
import { MAX_LINK_CHARS } from '../../core/link/video-link.js';
import { firstMessage } from '../../core/shared/schema.js';
import { IpcChannel } from './channels.js';
import { payloadObject } from './payload-object.js';
import { settingsPatch } from './settings-payload.js';

export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

const MAX_PATHS = 50;
const MAX_PATH_CHARS = 4096;
const MAX_URL_CHARS = 2048;

const none = v.undefined('This request takes no payload.');

const absoluteFile = v.custom<string>(
  (file) =>
    typeof file === 'string' &&
    file.length > 0 &&
    file.length <= MAX_PATH_CHARS &&
    !file.includes('\0') &&
    path.isAbsolute(file),
  (issue) => `Add videos: ${JSON.stringify(issue.input)} is not an absolute file path.`,
);

const pathsWords = `Add videos: expected "paths", a list of 1 to ${MAX_PATHS} files.`;
const addVideos = payloadObject('Add videos', {
  // The count is checked before any path is looked at.
  paths: v.pipe(
    v.custom<unknown[]>(
      (input) => Array.isArray(input) && input.length > 0 && input.length <= MAX_PATHS,
      pathsWords,
    ),
    v.array(absoluteFile, pathsWords),
  ),
});

const urlWords = `Open link: expected "url", text of at most ${MAX_URL_CHARS} characters.`;
const openExternal = payloadObject('Open link', {
  url: v.pipe(v.string(urlWords), v.minLength(1, urlWords), v.maxLength(MAX_URL_CHARS, urlWords)),
});

// The link's own parser judges the text in the handler; this only bounds what crosses IPC.
const linkWords = `Join link: expected "link", text of at most ${MAX_LINK_CHARS} characters.`;
const joinLink = payloadObject('Join link', {
  link: v.pipe(v.string(linkWords), v.minLength(1, linkWords), v.maxLength(MAX_LINK_CHARS, linkWords)),
});

const watching = payloadObject('Watching', {
  watching: v.boolean('Watching: expected "watching", true or false.'),
});

/** The schema of each invoke channel's payload. */
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
  [IpcChannel.JoinLink]: joinLink,
  [IpcChannel.TakeLinks]: none,
  [IpcChannel.TakePages]: none,
} satisfies Partial<Record<IpcChannel, v.GenericSchema>>;

export type InvokeChannel = keyof typeof INVOKE_SCHEMAS;
export type PayloadOf<C extends InvokeChannel> = v.InferOutput<(typeof INVOKE_SCHEMAS)[C]>;

/** `payload` as `channel`'s handler takes it; throws PayloadError with the first problem, in words. */
export function readPayload<C extends InvokeChannel>(channel: C, payload: unknown): PayloadOf<C> {
  const checked = firstMessage(INVOKE_SCHEMAS[channel], payload);
  if ('message' in checked) throw new PayloadError(checked.message);
  return checked.output as PayloadOf<C>;
}
