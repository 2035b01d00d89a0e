/**
 * Readers for single fields of a decoded header. Each returns the value typed, or throws a
 * WireProblem naming the field (with its path, e.g. `chunks[3].indexes[7]`) and what was expected.
 * Decoded msgpack is untrusted: these never assume a type, never trust inherited properties, and
 * bound every string and array before walking it.
 */
import { videoNameProblem } from '../shared/video-name.js';
import { unprintableProblem } from '../shared/printable.js';
import { CHUNK_INDEX_LIMIT, MAX_NODE_NAME_BYTES } from './limits.js';
import { badField } from './problems.js';
import { INIT_INDEX } from '../shared/segments.js';
import { tcpAddressProblem } from './address.js';

export type Fields = Readonly<Record<string, unknown>>;

export function isPlainObject(value: unknown): value is Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Own property only: a header without `name` must not pick up something from a prototype. */
export function own(fields: Fields, key: string): unknown {
  return Object.hasOwn(fields, key) ? fields[key] : undefined;
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

export function readObject(value: unknown, path: string): Fields {
  if (!isPlainObject(value)) throw badField(path, 'a map', value);
  return value;
}

/** A non-negative safe integer no greater than `max`. */
export function readUint(fields: Fields, key: string, max: number, path = ''): number {
  return checkUint(own(fields, key), join(path, key), max);
}

export function checkUint(value: unknown, path: string, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw badField(path, `an integer from 0 to ${max}`, value);
  }
  return value;
}

/** A chunk index; -1 (the init segment) only where `allowInit`. */
export function checkIndex(value: unknown, path: string, allowInit: boolean): number {
  const min = allowInit ? INIT_INDEX : 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value >= CHUNK_INDEX_LIMIT) {
    const expected = allowInit
      ? `a chunk index: an integer from 0 to ${CHUNK_INDEX_LIMIT - 1}, or -1 for the init segment`
      : `a chunk index: an integer from 0 to ${CHUNK_INDEX_LIMIT - 1}`;
    throw badField(path, expected, value);
  }
  return value;
}

export function readVideoName(fields: Fields, key: string, path = ''): string {
  const value = own(fields, key);
  const problem = videoNameProblem(value);
  if (problem !== null) throw badField(join(path, key), `a valid video name (${problem})`, value);
  return value as string;
}

/** A bounded printable token: node names and stream ids. */
export function printableProblem(value: unknown, maxBytes: number): string | null {
  if (typeof value !== 'string') return 'it must be a string';
  if (value.length === 0) return 'it is empty';
  // A UTF-8 byte count is at least the UTF-16 length, so long strings are refused before being measured.
  if (value.length > maxBytes || Buffer.byteLength(value, 'utf8') > maxBytes)
    return `it is longer than ${maxBytes} bytes`;
  const unprintable = unprintableProblem(value);
  if (unprintable !== null) return unprintable;
  if (value !== value.trim()) return 'it starts or ends with whitespace';
  return null;
}

export function checkNodeName(value: unknown, path: string): string {
  const problem = printableProblem(value, MAX_NODE_NAME_BYTES);
  if (problem !== null) {
    throw badField(path, `a node name of 1 to ${MAX_NODE_NAME_BYTES} printable bytes (${problem})`, value);
  }
  return value as string;
}

export function checkArray(value: unknown, path: string, maxLength: number): readonly unknown[] {
  if (!Array.isArray(value) || value.length > maxLength) {
    throw badField(path, `an array of at most ${maxLength} items`, value);
  }
  return value as readonly unknown[];
}

/**
 * A manifest digest (core/trust manifestDigest): sha256 over a signed manifest, as 64 lower-case hex
 * digits. It names the exact content a node holds under a video's name, so a master offers a holder
 * only to askers that hold the same manifest.
 */
export const MANIFEST_DIGEST_FORMAT = /^[0-9a-f]{64}$/;
export const MANIFEST_DIGEST_WORDS = 'a manifest digest: 64 lower-case hex digits';

export function checkManifestDigest(value: unknown, path: string): string {
  if (typeof value !== 'string' || !MANIFEST_DIGEST_FORMAT.test(value)) {
    throw badField(path, MANIFEST_DIGEST_WORDS, value);
  }
  return value;
}

/** Optional fields: absent and nil (msgpack's null) both mean "not given". */
export function isAbsent(fields: Fields, key: string): boolean {
  const value = own(fields, key);
  return value === undefined || value === null;
}

/** A peer's address, tcp://host:port, as `fields[key]` (named `path.key` in the error). */
export function readAddress(fields: Fields, key: string, path = ''): string {
  const value = own(fields, key);
  const problem = tcpAddressProblem(value);
  const name = path === '' ? key : `${path}.${key}`;
  if (problem !== null)
    throw badField(name, `an address tcp://host:port with port 1-65535 (${problem})`, value);
  return value as string;
}
