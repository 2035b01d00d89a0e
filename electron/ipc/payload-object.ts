/**
 * The shape every object payload shares: an object, with no field its channel does not know (all
 * of them named, so a renderer bug is found in one go), and each known field worded by its own
 * schema. Pure, so the contract can infer the renderer's payload types from schemas built with it.
 */
import * as v from 'valibot';
import { record } from '../../core/shared/schema.js';

/** `what` starts every problem, naming the request: "Add videos: ...". */
export function payloadObject<T extends v.ObjectEntries>(what: string, entries: T) {
  const extra = (input: object): string[] => Object.keys(input).filter((key) => !Object.hasOwn(entries, key));
  return v.pipe(
    v.custom<object>(
      (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
      `${what}: expected an object.`,
    ),
    v.check(
      (input) => extra(input).length === 0,
      (issue) => `${what}: unexpected field(s) ${extra(issue.input).join(', ')}.`,
    ),
    // Missing fields are worded by their own schema: `Open link: expected "url", ...`.
    record(entries, `${what}: expected an object.`),
  );
}
