/**
 * Framing: every message is `[header, ...binary]`. The header is msgpack of `{ v, id, type, ...fields }`;
 * chunk bytes travel as their own frame, untouched, so a 1 MiB chunk is never copied into or parsed
 * out of msgpack. Encoders validate what they send (a bug here should fail locally, not at the peer);
 * decoders validate what they receive and throw a WireProblem that says what to reply or count.
 */
import { Packr, Unpackr } from 'msgpackr';
import { checkUint, isPlainObject, own, type Fields } from './fields.js';
import {
  MAX_HEADER_BYTES,
  MAX_REQUEST_BYTES,
  MAX_REQUEST_ID,
  clipMessage,
  MAX_TOPOLOGY_DEPTH,
  MAX_TRY_INSTEAD,
  PROTOCOL_VERSION,
} from './limits.js';
import {
  REQUEST_TYPES,
  TYPES_WITH_BODY,
  okTypeOf,
  type ErrorReply,
  type IncomingReply,
  type IncomingRequest,
  type PeerRef,
  type ReplyFields,
  type Request,
  type RequestType,
} from './messages.js';
import { WireProblem, badField, describeValue, type WireErrorCode } from './problems.js';
import { readErrorReply, replyValidators } from './replies.js';
import { requestValidators } from './requests.js';

// Plain msgpack maps only: records/structures would make the wire depend on msgpackr's own extension.
const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

const KNOWN_TYPES: ReadonlySet<string> = new Set(REQUEST_TYPES);

export function isRequestType(value: unknown): value is RequestType {
  return typeof value === 'string' && KNOWN_TYPES.has(value);
}

/** A frame as zeromq hands it over, or as we hand it to zeromq. */
export type Frame = Buffer | Uint8Array;

function packHeader(header: Record<string, unknown>): Buffer {
  return packr.pack(header);
}

interface ParsedHeader {
  id: number;
  type: string;
  fields: Fields;
}

/** First stage of decoding, shared by requests and replies: msgpack, object, id, version, type. */
function parseHeader(frames: readonly Frame[], maxBytes: number): ParsedHeader {
  const header = frames[0];
  if (header === undefined) throw new WireProblem('no-frames', 'BAD_REQUEST', 'the message has no frames');
  if (header.byteLength > maxBytes) {
    throw new WireProblem(
      'header-too-large',
      'BAD_REQUEST',
      `the header is ${header.byteLength} bytes; at most ${maxBytes} are accepted`,
    );
  }
  if (header.byteLength === 0) {
    throw new WireProblem(
      'not-msgpack',
      'BAD_REQUEST',
      'the header frame is empty; it must be a msgpack map',
    );
  }
  let decoded: unknown;
  try {
    decoded = unpackr.unpack(header as Buffer);
  } catch (error) {
    throw new WireProblem(
      'not-msgpack',
      'BAD_REQUEST',
      `the header frame is not msgpack (${error instanceof Error ? error.message.slice(0, 80) : 'unreadable'})`,
    );
  }
  if (!isPlainObject(decoded)) {
    throw new WireProblem(
      'not-object',
      'BAD_REQUEST',
      `the header must be a msgpack map of { v, id, type, ... }; got ${describeValue(decoded)}`,
    );
  }
  const rawId = own(decoded, 'id');
  if (typeof rawId !== 'number' || !Number.isSafeInteger(rawId) || rawId < 1 || rawId > MAX_REQUEST_ID) {
    throw new WireProblem(
      'bad-id',
      'BAD_REQUEST',
      `field "id" must be a request id from 1 to ${MAX_REQUEST_ID}; got ${describeValue(rawId)}`,
      'id',
    );
  }
  const version = own(decoded, 'v');
  if (version !== PROTOCOL_VERSION) {
    const problem = new WireProblem(
      'bad-version',
      'UNSUPPORTED_VERSION',
      `protocol version ${describeValue(version)} is not supported; this node speaks version ${PROTOCOL_VERSION}`,
      'v',
    );
    problem.id = rawId;
    throw problem;
  }
  const type = own(decoded, 'type');
  if (typeof type !== 'string') {
    const problem = new WireProblem(
      'unknown-type',
      'BAD_REQUEST',
      `field "type" must be a string; got ${describeValue(type)}`,
      'type',
    );
    problem.id = rawId;
    throw problem;
  }
  return { id: rawId, type, fields: decoded };
}

function withId<T extends WireProblem>(problem: T, id: number): T {
  problem.id = id;
  return problem;
}

/** Runs a validator, tagging any problem with the request id so the reply can name it. */
function validate<T>(id: number, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof WireProblem) throw withId(error, id);
    throw error;
  }
}

// ---- requests ----------------------------------------------------------------------------------

/** Validates `request` and returns its frames. Throws WireProblem (a caller bug) when invalid. */
export function encodeRequest(id: number, request: Request): Frame[] {
  if (checkUint(id, 'id', MAX_REQUEST_ID) === 0)
    throw badField('id', `a request id from 1 to ${MAX_REQUEST_ID}`, id);
  if (!isRequestType(request.type)) {
    throw new WireProblem(
      'unknown-type',
      'UNKNOWN_TYPE',
      `unknown request type ${describeValue(request.type)}`,
    );
  }
  const fields = requestValidators[request.type](request as unknown as Fields);
  const header = packHeader({ v: PROTOCOL_VERSION, id, type: request.type, ...fields });
  // The budgets keep every valid request under the bound; this catches a budget that drifted.
  if (header.byteLength > MAX_REQUEST_BYTES) {
    throw new WireProblem(
      'header-too-large',
      'INTERNAL',
      `a ${request.type} request encodes to ${header.byteLength} bytes; a peer accepts at most ${MAX_REQUEST_BYTES}`,
    );
  }
  return [header];
}

/** Decodes and validates a request as it arrives at a server. Throws WireProblem. */
export function decodeRequest(frames: readonly Frame[]): IncomingRequest {
  // Refused before the header is even unpacked: no request has a second frame, and a sender of many
  // frames should cost as little as possible past what libzmq already buffered (id 0: not read).
  if (frames.length > 1) {
    throw new WireProblem(
      'bad-frames',
      'BAD_REQUEST',
      `a request is one header frame; got ${frames.length} frames`,
    );
  }
  const { id, type, fields } = parseHeader(frames, MAX_REQUEST_BYTES);
  if (!isRequestType(type)) {
    throw withId(
      new WireProblem(
        'unknown-type',
        'UNKNOWN_TYPE',
        `request type ${describeValue(type)} is not known; known types: ${REQUEST_TYPES.join(', ')}`,
        'type',
      ),
      id,
    );
  }
  const validated = validate(id, () => requestValidators[type](fields));
  return { id, type, ...validated } as IncomingRequest;
}

// ---- replies -----------------------------------------------------------------------------------

/**
 * Validates an ok reply and returns its frames; for `get` the body is the second frame and must be
 * exactly `size` bytes. Throws WireProblem when a handler produced something the protocol forbids.
 */
export function encodeOkReply<K extends RequestType>(
  id: number,
  type: K,
  fields: ReplyFields[K],
  body?: Frame,
): Frame[] {
  const validated = replyValidators[type](fields as unknown as Fields);
  const header = packHeader({ v: PROTOCOL_VERSION, id, type: okTypeOf(type), ...validated });
  if (!TYPES_WITH_BODY.has(type)) {
    if (body !== undefined) {
      throw new WireProblem('bad-frames', 'INTERNAL', `a ${type} reply carries no binary frame`);
    }
    return [header];
  }
  const size = (validated as ReplyFields['get']).size;
  if (body === undefined || body.byteLength !== size) {
    throw new WireProblem(
      'bad-frames',
      'INTERNAL',
      `a ${type} reply needs a binary frame of exactly ${size} bytes; got ${body === undefined ? 'none' : `${body.byteLength}`}`,
    );
  }
  return [header, body];
}

export function encodeErrorReply(
  id: number,
  code: WireErrorCode | (string & {}),
  message: string,
  extra: ErrorReplyExtra = {},
): Frame[] {
  return [packHeader({ v: PROTOCOL_VERSION, id, ...errorReplyOf(code, message, extra) })];
}

export interface ErrorReplyExtra {
  retryAfterMs?: number;
  asked?: readonly string[];
  tryInstead?: readonly PeerRef[];
}

/** An error reply as it goes on the wire: the message clipped, the hints rounded and bounded. */
export function errorReplyOf(
  code: WireErrorCode | (string & {}),
  message: string,
  extra: ErrorReplyExtra = {},
): ErrorReply {
  const reply: ErrorReply = { type: 'error', code, message: clipMessage(message) };
  if (extra.retryAfterMs !== undefined) reply.retryAfterMs = Math.max(0, Math.round(extra.retryAfterMs));
  if (extra.asked !== undefined && extra.asked.length > 0) {
    reply.asked = extra.asked.slice(0, MAX_TOPOLOGY_DEPTH);
  }
  if (extra.tryInstead !== undefined && extra.tryInstead.length > 0) {
    reply.tryInstead = extra.tryInstead
      .slice(0, MAX_TRY_INSTEAD)
      .map(({ name, address }) => ({ name, address }));
  }
  return reply;
}

/** Decodes and validates a reply as it arrives at a client. Throws WireProblem (problem.id set when known). */
export function decodeReply(frames: readonly Buffer[]): IncomingReply {
  const { id, type, fields } = parseHeader(frames, MAX_HEADER_BYTES);
  if (type === 'error') {
    if (frames.length !== 1) {
      throw withId(new WireProblem('bad-frames', 'BAD_REQUEST', 'an error reply is one header frame'), id);
    }
    const reply: ErrorReply = validate(id, () => readErrorReply(fields));
    return { id, reply };
  }
  const requestType = type.endsWith('-ok') ? type.slice(0, -3) : '';
  if (!isRequestType(requestType)) {
    throw withId(
      new WireProblem(
        'unknown-type',
        'UNKNOWN_TYPE',
        `reply type ${describeValue(type)} is not known`,
        'type',
      ),
      id,
    );
  }
  const validated = validate(id, () => replyValidators[requestType](fields));
  const reply = { type, ...validated } as IncomingReply['reply'];
  if (!TYPES_WITH_BODY.has(requestType)) {
    if (frames.length !== 1) {
      throw withId(new WireProblem('bad-frames', 'BAD_REQUEST', `a ${type} reply is one header frame`), id);
    }
    return { id, reply };
  }
  const body = frames[1];
  const size = (validated as ReplyFields['get']).size;
  if (frames.length !== 2 || body === undefined || body.byteLength !== size) {
    throw withId(
      new WireProblem(
        'bad-frames',
        'BAD_REQUEST',
        `a ${type} reply is a header and one binary frame of ${size} bytes; got ${frames.length} frames${body ? ` with ${body.byteLength} bytes` : ''}`,
      ),
      id,
    );
  }
  return { id, reply, body };
}
