/**
 * What can be wrong with a frame that arrives from a peer. A WireProblem is thrown by the validators
 * and caught where a message enters (PeerServer, PeerClient); it is never a crash, only a reply or a
 * counter.
 */

/** Error codes that travel in `{ type: 'error', code }` replies. Peers may send codes we do not know. */
export type WireErrorCode =
  | 'BAD_REQUEST'
  | 'UNSUPPORTED_VERSION'
  | 'UNKNOWN_TYPE'
  | 'NOT_SUPPORTED'
  | 'OVERLOADED'
  | 'TIMEOUT'
  | 'INTERNAL'
  | 'CHUNK_NOT_FOUND'
  | 'VIDEO_NOT_FOUND'
  | 'NOT_REGISTERED'
  | 'NAME_TAKEN'
  | 'MASTER_FULL'
  | 'WOULD_LOOP'
  | 'UNREACHABLE';

/** Why an incoming message was rejected; the key of the per-peer invalid counters. */
export type InvalidReason =
  | 'no-frames'
  | 'header-too-large'
  | 'not-msgpack'
  | 'not-object'
  | 'bad-version'
  | 'bad-id'
  | 'unknown-type'
  | 'bad-field'
  | 'bad-frames';

export class WireProblem extends Error {
  /** The request id when the header got far enough to have a valid one, else 0. */
  id = 0;

  constructor(
    readonly reason: InvalidReason,
    readonly code: WireErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'WireProblem';
  }
}

/** Short, bounded description of a value for error messages (never echo a 5 MB string back). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `${value.byteLength} bytes of binary`;
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `a ${value.length}-character string` : JSON.stringify(value);
    case 'number':
      return Number.isNaN(value) ? 'NaN' : String(value);
    case 'bigint':
      return `the big integer ${value.toString().slice(0, 30)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** A field that is missing, of the wrong type or out of bounds. */
export function badField(field: string, expected: string, got: unknown): WireProblem {
  return new WireProblem(
    'bad-field',
    'BAD_REQUEST',
    `field "${field}" must be ${expected}; got ${describeValue(got)}`,
    field,
  );
}
