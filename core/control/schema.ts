/**
 * The control channel's lines, read and written on both ends: the node reads requests, and runs its
 * own events and results through the same schemas before sending (a bug fails at the node, not in
 * the CLI); the client reads the node's lines. The fields of each line are checked by its schema in
 * request-schemas.ts or reply-schemas.ts, which builds a fresh object of the fields it knows, so
 * unknown fields are dropped and optional fields may be added within version 1. What is checked
 * here by hand is the line itself (UTF-8, JSON, an object, the version) and its type, because
 * those problems carry codes and words of their own.
 */
import type * as v from 'valibot';
import { parseFields } from '../protocol/field-schemas.js';
import { isAbsent, isPlainObject, own, type Fields } from '../protocol/fields.js';
import { WireProblem, describeValue } from '../protocol/problems.js';
import { PeerStreamerError } from '../util/errors.js';
import { ControlProblem, asControlProblem } from './errors.js';
import { CONTROL_VERSION } from './limits.js';
import {
  CONTROL_COMMANDS,
  EVENTS_OF,
  type ControlCommand,
  type ControlEvent,
  type ControlEventType,
  type ControlRequest,
  type ControlRequestFields,
  type ControlResultFields,
} from './messages.js';
import { errorLine, eventSchemas, resultSchemas } from './reply-schemas.js';
import { requestSchemas } from './request-schemas.js';

/** The checked fields `schema` knows of `fields`; throws a WireProblem naming the first bad one. */
function readFields(schema: v.GenericSchema, fields: Fields): Fields {
  return parseFields(schema as v.GenericSchema<unknown, Fields>, fields);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The JSON object on one line, with its version checked; `who` words the problems for the reader. */
function parseLine(line: Uint8Array, code: 'BAD_REQUEST' | 'BAD_REPLY'): { type: unknown; fields: Fields } {
  let text: string;
  try {
    text = utf8.decode(line);
  } catch {
    throw new ControlProblem(code, 'the line is not UTF-8 text; send one JSON object per line');
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 100) : 'unreadable';
    throw new ControlProblem(code, `the line is not JSON (${reason}); send one JSON object per line`);
  }
  if (!isPlainObject(decoded)) {
    throw new ControlProblem(
      code,
      `the line must be a JSON object { v, type, ... }; got ${describeValue(decoded)}`,
    );
  }
  const version = own(decoded, 'v');
  if (version !== CONTROL_VERSION) {
    throw new ControlProblem(
      code === 'BAD_REQUEST' ? 'UNSUPPORTED_VERSION' : code,
      `control message version ${describeValue(version)} is not supported; this ${code === 'BAD_REQUEST' ? 'node' : 'client'} speaks version ${CONTROL_VERSION} (field "v")`,
    );
  }
  return { type: own(decoded, 'type'), fields: decoded };
}

function isCommand(value: unknown): value is ControlCommand {
  return typeof value === 'string' && (CONTROL_COMMANDS as readonly string[]).includes(value);
}

/** A request line read as far as who sent it: the command's fields are read only once it may run. */
export interface RequestEnvelope {
  type: unknown;
  fields: Fields;
  /** What the `token` field held (any JSON value); undefined when absent or null. */
  token: unknown;
}

/** A request line's JSON object, version and token. Throws ControlProblem, which the node answers with. */
export function parseRequestEnvelope(line: Uint8Array): RequestEnvelope {
  const { type, fields } = parseLine(line, 'BAD_REQUEST');
  return { type, fields, token: isAbsent(fields, 'token') ? undefined : own(fields, 'token') };
}

/** The command a request envelope carries, with its fields checked. Throws ControlProblem. */
export function readRequest({ type, fields }: RequestEnvelope): ControlRequest {
  if (!isCommand(type)) {
    throw new ControlProblem(
      'UNKNOWN_COMMAND',
      `command ${describeValue(type)} is not known (field "type"); known commands: ${CONTROL_COMMANDS.join(', ')}`,
    );
  }
  return {
    type,
    ...asControlProblem(`bad ${type} request`, () => readFields(requestSchemas[type], fields), 'BAD_REQUEST'),
  } as ControlRequest;
}

/**
 * `fields` checked as `command`'s request by the very schema the channel reads it with, for the
 * node's other front door (the gateway's api/live, core/node/node-backend.ts): one set of rules for
 * both. A problem is INVALID_ARGUMENT, worded as the channel words it (`field "window" must be ...;
 * got ...`), with `what` in front.
 */
export function checkCommandFields<K extends ControlCommand>(
  command: K,
  fields: unknown,
  what: string,
): ControlRequestFields[K] {
  if (!isPlainObject(fields)) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${what}: the request must be a JSON object of fields; got ${describeValue(fields)}`,
      {},
    );
  }
  try {
    return readFields(requestSchemas[command], fields) as ControlRequestFields[K];
  } catch (error) {
    if (!(error instanceof WireProblem)) throw error;
    throw new PeerStreamerError('INVALID_ARGUMENT', `${what}: ${error.message}`, {
      ...(error.field !== undefined ? { field: error.field } : {}),
    });
  }
}

/** A request line as the node receives it, its token aside. Throws ControlProblem. */
export function parseRequestLine(line: Uint8Array): ControlRequest {
  return readRequest(parseRequestEnvelope(line));
}

/** The line for `request`, carrying `token` when given (see core/control/token.ts). */
export function encodeRequest(request: ControlRequest, token?: string): string {
  const fields = asControlProblem(
    `bad ${request.type} request`,
    () => readFields(requestSchemas[request.type], request),
    'BAD_REQUEST',
  );
  return line({ type: request.type, ...fields, ...(token !== undefined ? { token } : {}) });
}

export function encodeEvent(event: ControlEvent): string {
  return line({
    type: event.type,
    ...asControlProblem(
      `bad ${event.type} event`,
      () => readFields(eventSchemas[event.type], event),
      'BAD_REPLY',
    ),
  });
}

export function encodeResult<K extends ControlCommand>(command: K, result: ControlResultFields[K]): string {
  const fields = asControlProblem(
    `bad ${command} result`,
    () => readFields(resultSchemas[command], result),
    'BAD_REPLY',
  );
  return line({ type: `${command}-ok`, ...fields });
}

export function encodeError(code: string, message: string): string {
  return line({ type: 'error', code, message });
}

function line(message: Record<string, unknown>): string {
  return `${JSON.stringify({ v: CONTROL_VERSION, ...message })}\n`;
}

/** What the node sent for a command: an event it may send, its result, or an error. */
export type NodeLine<K extends ControlCommand> =
  | { kind: 'event'; event: ControlEvent }
  | { kind: 'result'; result: ControlResultFields[K] }
  | { kind: 'error'; code: string; message: string };

/** A line from the node, as the client reads it for `command`. Throws ControlProblem BAD_REPLY. */
export function parseNodeLine<K extends ControlCommand>(command: K, text: Uint8Array): NodeLine<K> {
  const { type, fields } = parseLine(text, 'BAD_REPLY');
  if (type === 'error') {
    const { code, message } = asControlProblem(
      'error line',
      () => parseFields(errorLine, fields),
      'BAD_REPLY',
    );
    return { kind: 'error', code, message };
  }
  if (type === `${command}-ok`) {
    const result = asControlProblem(
      `${command}-ok`,
      () => readFields(resultSchemas[command], fields),
      'BAD_REPLY',
    );
    return { kind: 'result', result: result as ControlResultFields[K] };
  }
  const allowed: readonly string[] = EVENTS_OF[command];
  if (typeof type !== 'string' || !allowed.includes(type)) {
    throw new ControlProblem(
      'BAD_REPLY',
      `a ${command} command gets ${[...allowed, `${command}-ok`, 'error'].join(', ')} lines; got type ${describeValue(type)}`,
    );
  }
  const eventType = type as ControlEventType;
  const event = {
    type: eventType,
    ...asControlProblem(`${eventType} event`, () => readFields(eventSchemas[eventType], fields), 'BAD_REPLY'),
  } as ControlEvent;
  return { kind: 'event', event };
}
