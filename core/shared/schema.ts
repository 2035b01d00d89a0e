/**
 * What every valibot schema of ours shares: failures worded as "<path> must be <expected>", with
 * the value found, so the wire, the store and the control channel can each say it in their own
 * error type. Each check's message is that "expected" text. Schemas read by people as they are (the
 * app's settings, the desktop app's IPC) word whole sentences instead, read with `firstMessage`.
 */
import * as v from 'valibot';

export interface SchemaIssue {
  /** e.g. `chunks[3].sha256`; empty for the value as a whole. */
  path: string;
  /** Reads after "must be": `64 lower-case hex digits`. */
  expected: string;
  got: unknown;
}

/**
 * An object schema whose missing fields are worded by their own schema ("init must be a map of
 * { size, sha256 }, got nothing"); valibot would word them by the parent's message.
 */
export const record = <T extends v.ObjectEntries>(entries: T, expected: string) =>
  v.object(entries, (issue) => {
    const key = issue.path?.at(-1)?.key;
    if (issue.input !== undefined || typeof key !== 'string' || !Object.hasOwn(entries, key)) return expected;
    const missing = v.safeParse(entries[key]!, undefined, { abortEarly: true });
    return missing.success ? expected : missing.issues[0].message;
  });

/** The output, or the first thing wrong: the one a person fixes first. */
export function firstIssue<T extends v.GenericSchema>(
  schema: T,
  value: unknown,
): { output: v.InferOutput<T> } | { issue: SchemaIssue } {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (result.success) return { output: result.output };
  const issue = result.issues[0];
  const path = (issue.path ?? []).reduce<string>(
    (text, item) =>
      typeof item.key === 'number'
        ? `${text}[${item.key}]`
        : text === ''
          ? String(item.key)
          : `${text}.${String(item.key)}`,
    '',
  );
  return { issue: { path, expected: issue.message, got: issue.input } };
}

/**
 * The output, or the first problem, for schemas whose messages are whole sentences rather than the
 * "expected" part of one: the app's settings and the desktop app's IPC payloads, whose problems are
 * shown to a person as they are.
 */
export function firstMessage<T extends v.GenericSchema>(
  schema: T,
  value: unknown,
): { output: v.InferOutput<T> } | { message: string } {
  const result = v.safeParse(schema, value, { abortEarly: true });
  return result.success ? { output: result.output } : { message: result.issues[0].message };
}
