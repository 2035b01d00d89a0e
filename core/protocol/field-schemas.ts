/**
 * valibot schemas of the wire's field types, worded as the readers in fields.ts word them, so a
 * peer is told the same thing whichever does the checking: `field "index" must be <message>; got …`.
 */
import * as v from 'valibot';
import { firstIssue, record } from '../shared/schema.js';
import { INIT_INDEX } from '../shared/segments.js';
import { videoNameProblem } from '../shared/video-name.js';
import { tcpAddressProblem } from './address.js';
import { z85KeyProblem } from './peer-key.js';
import {
  MANIFEST_DIGEST_FORMAT,
  MANIFEST_DIGEST_WORDS,
  isPlainObject,
  printableProblem,
  type Fields,
} from './fields.js';
import { CHUNK_INDEX_LIMIT, MAX_NODE_ID_CHARS, MAX_NODE_NAME_BYTES, MAX_STREAM_ID_BYTES } from './limits.js';
import { badField } from './problems.js';

export const nodeName = v.custom<string>(
  (input) => printableProblem(input, MAX_NODE_NAME_BYTES) === null,
  (issue) =>
    `a node name of 1 to ${MAX_NODE_NAME_BYTES} printable bytes (${printableProblem(issue.input, MAX_NODE_NAME_BYTES)})`,
);

export const streamId = v.custom<string>(
  (input) => printableProblem(input, MAX_STREAM_ID_BYTES) === null,
  (issue) =>
    `a stream id of 1 to ${MAX_STREAM_ID_BYTES} printable bytes (${printableProblem(issue.input, MAX_STREAM_ID_BYTES)})`,
);

export const videoName = v.custom<string>(
  (input) => videoNameProblem(input) === null,
  (issue) => `a valid video name (${videoNameProblem(issue.input)})`,
);

export const address = v.custom<string>(
  (input) => tcpAddressProblem(input) === null,
  (issue) => `an address tcp://host:port with port 1-65535 (${tcpAddressProblem(issue.input)})`,
);

const NODE_ID_WORDS = `a node id of 1 to ${MAX_NODE_ID_CHARS} letters, digits, '-' or '_'`;
/** A node's CURVE public key, in Z85 (see peer-key.ts). */
export const nodeKey = v.custom<string>(
  (input) => z85KeyProblem(input) === null,
  (issue) => `a node key (${z85KeyProblem(issue.input)})`,
);

export const nodeId = v.pipe(
  v.string(NODE_ID_WORDS),
  v.regex(new RegExp(`^[A-Za-z0-9_-]{1,${MAX_NODE_ID_CHARS}}$`), NODE_ID_WORDS),
);

export const boolean = v.boolean('true or false');

/** A chunk index; -1 (the init segment) only where `allowInit`. */
export function chunkIndex(allowInit: boolean) {
  const words = allowInit
    ? `a chunk index: an integer from 0 to ${CHUNK_INDEX_LIMIT - 1}, or -1 for the init segment`
    : `a chunk index: an integer from 0 to ${CHUNK_INDEX_LIMIT - 1}`;
  return v.pipe(
    v.number(words),
    v.integer(words),
    v.minValue(allowInit ? INIT_INDEX : 0, words),
    v.maxValue(CHUNK_INDEX_LIMIT - 1, words),
  );
}

/** A non-negative safe integer no greater than `max`. */
export function uint(max: number) {
  const words = `an integer from 0 to ${max}`;
  return v.pipe(v.number(words), v.safeInteger(words), v.minValue(0, words), v.maxValue(max, words));
}

/** A finite number within [min, max] (durations, times). */
export function finiteNumber(min: number, max: number) {
  const words = `a number from ${min} to ${max}`;
  return v.pipe(v.number(words), v.finite(words), v.minValue(min, words), v.maxValue(max, words));
}

/** An array whose length is checked before its items are walked. */
export function boundedArray<T extends v.GenericSchema>(item: T, max: number) {
  const words = `an array of at most ${max} items`;
  return v.pipe(
    v.custom<unknown[]>((input) => Array.isArray(input) && input.length <= max, words),
    v.array(item, words),
  );
}

/**
 * A map of video name to a count, its size checked before its entries are walked: `liveViewers`.
 */
export function countsByVideo(maxVideos: number, maxCount: number) {
  const words = `a map of at most ${maxVideos} video names, each to an integer from 0 to ${maxCount}`;
  return v.pipe(
    v.custom<Record<string, unknown>>(
      (input) => isPlainObject(input) && Object.keys(input).length <= maxVideos,
      words,
    ),
    v.record(videoName, uint(maxCount), words),
  );
}

/**
 * A map of live stream name to where it stands on the sender (`liveStreams` on heartbeat replies):
 * its newest chunk's index and its state. Its size is checked before its entries are walked.
 */
export function liveStreamsByVideo(maxVideos: number) {
  const words = `a map of at most ${maxVideos} video names, each to a map of newest (a chunk index) and state ("live", "ended" or "failed")`;
  return v.pipe(
    v.custom<Record<string, unknown>>(
      (input) => isPlainObject(input) && Object.keys(input).length <= maxVideos,
      words,
    ),
    v.record(
      videoName,
      record(
        {
          newest: chunkIndex(false),
          state: v.picklist(['live', 'ended', 'failed'], '"live", "ended" or "failed"'),
        },
        'a map',
      ),
      words,
    ),
  );
}

/**
 * A map inside a message. valibot's object takes any object, arrays included, and would then word an
 * array by its first missing field; readObject says "a map" of anything but a plain object, and so
 * does this.
 */
export const map = <T extends v.ObjectEntries>(entries: T) =>
  v.pipe(v.custom<Fields>(isPlainObject, 'a map'), record(entries, 'a map'));

export const sha256 = v.pipe(
  v.string('a sha256 as 64 lower-case hex digits'),
  v.regex(/^[0-9a-f]{64}$/, 'a sha256 as 64 lower-case hex digits'),
);

/** Worded as fields.ts's checkManifestDigest, which inventories use. */
export const manifestDigest = v.pipe(
  v.string(MANIFEST_DIGEST_WORDS),
  v.regex(MANIFEST_DIGEST_FORMAT, MANIFEST_DIGEST_WORDS),
);

export function text(maxChars: number) {
  const words = `a string of at most ${maxChars} characters`;
  return v.pipe(v.string(words), v.maxLength(maxChars, words));
}

/** An optional field: absent and nil (msgpack's null) both mean "not given". */
export const optional = <T extends v.GenericSchema>(schema: T) =>
  v.optional(
    v.pipe(
      v.nullable(schema),
      v.transform((value) => value ?? undefined),
    ),
  );

/**
 * Checks `fields` against `schema` and returns a fresh object of the fields it knows, without the
 * optional ones not given (so an encoder omits them rather than sending nil). Throws a WireProblem
 * naming the first field that is wrong.
 */
export function parseFields<T extends v.GenericSchema<unknown, Fields>>(
  schema: T,
  fields: Fields,
): v.InferOutput<T> {
  const result = firstIssue(schema, fields);
  if ('issue' in result) throw badField(result.issue.path, result.issue.expected, result.issue.got);
  const output = result.output as Fields;
  // Copied only when an optional field came as nil: the common case allocates nothing more.
  for (const key in output) {
    if (output[key] === undefined) {
      return Object.fromEntries(
        Object.entries(output).filter(([, value]) => value !== undefined),
      ) as v.InferOutput<T>;
    }
  }
  return output as v.InferOutput<T>;
}
