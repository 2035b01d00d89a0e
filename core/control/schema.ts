/**
 * One reader per control message, used on both ends: the node reads requests with them, and runs its
 * own events and results through them before sending (a bug fails at the node, not in the CLI); the
 * client reads the node's lines with them. Every reader builds a fresh object from the fields it
 * knows, so unknown fields are dropped and optional fields may be added within version 1.
 */
import path from 'node:path';
import {
  checkArray,
  checkIndex,
  isAbsent,
  isPlainObject,
  join,
  own,
  readBoolean,
  readNumber,
  readObject,
  readString,
  readUint,
  readVideoName,
  type Fields,
} from '../protocol/fields.js';
import { CHUNK_INDEX_LIMIT, ERROR_CODE_FORMAT, MAX_TEXT_CHARS } from '../protocol/limits.js';
import { readManifest } from '../protocol/manifest-fields.js';
import { badField, describeValue } from '../protocol/problems.js';
import {
  MAX_CHUNK_DURATION,
  MAX_CHUNK_SIZE,
  MIN_CHUNK_DURATION,
  MIN_CHUNK_SIZE,
} from '../media/chunk-options.js';
import type { VideoSummary, VerifyProblem, ChunkKey } from '../store/types.js';
import type { StoreCheck } from '../library/check-store.js';
import { ControlProblem, asControlProblem } from './errors.js';
import { CONTROL_VERSION, MAX_DATA_BYTES, MAX_PATH_BYTES } from './limits.js';
import {
  CONTROL_COMMANDS,
  EVENTS_OF,
  NOTICE_LEVELS,
  type NoticeLevel,
  type AddRequest,
  type ControlCommand,
  type ControlEvent,
  type ControlEventFields,
  type ControlEventType,
  type ControlRequest,
  type ControlRequestFields,
  type ControlResultFields,
} from './messages.js';

const MAX_BYTES = Number.MAX_SAFE_INTEGER;

// ---- field readers -------------------------------------------------------------------------------

function readFile(fields: Fields): string {
  const value = own(fields, 'file');
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    Buffer.byteLength(value) > MAX_PATH_BYTES ||
    value.includes('\0') ||
    !path.isAbsolute(value)
  ) {
    throw badField('file', `an absolute file path of at most ${MAX_PATH_BYTES} bytes`, value);
  }
  return value;
}

function readAdd(fields: Fields): AddRequest {
  const request: AddRequest = { file: readFile(fields), replace: readBoolean(fields, 'replace') };
  if (!isAbsent(fields, 'name')) request.name = readVideoName(fields, 'name');
  if (!isAbsent(fields, 'chunkDuration'))
    request.chunkDuration = readNumber(fields, 'chunkDuration', MIN_CHUNK_DURATION, MAX_CHUNK_DURATION);
  if (!isAbsent(fields, 'chunkSize')) {
    const size = readUint(fields, 'chunkSize', MAX_CHUNK_SIZE);
    if (size < MIN_CHUNK_SIZE)
      throw badField('chunkSize', `${MIN_CHUNK_SIZE} to ${MAX_CHUNK_SIZE} bytes`, size);
    request.chunkSize = size;
  }
  if (request.chunkDuration !== undefined && request.chunkSize !== undefined) {
    throw badField(
      'chunkSize',
      'absent when chunkDuration is given (chunks are cut by one of them)',
      request.chunkSize,
    );
  }
  return request;
}

const requestReaders: { [K in ControlCommand]: (fields: Fields) => ControlRequestFields[K] } = {
  add: readAdd,
  ls: () => ({}),
  verify: () => ({}),
  export: (fields) => ({
    name: readVideoName(fields, 'name'),
    fromChunk: checkIndex(own(fields, 'fromChunk'), 'fromChunk', false),
  }),
};

function readVideoSummary(value: unknown, at: string): VideoSummary {
  const fields = readObject(value, at);
  return {
    name: readVideoName(fields, 'name', at),
    manifest: readManifest(own(fields, 'manifest'), join(at, 'manifest')),
    pinned: readBoolean(fields, 'pinned', at),
    chunksHeld: readUint(fields, 'chunksHeld', CHUNK_INDEX_LIMIT, at),
    bytesHeld: readUint(fields, 'bytesHeld', MAX_BYTES, at),
    hasInit: readBoolean(fields, 'hasInit', at),
    addedAt: readString(fields, 'addedAt', 100, at),
  };
}

const PROBLEMS: readonly VerifyProblem['problem'][] = ['missing', 'wrong-size', 'wrong-hash'];

function readChunkKey(item: Fields, at: string): ChunkKey {
  return {
    video: readVideoName(item, 'video', at),
    index: checkIndex(own(item, 'index'), join(at, 'index'), true),
  };
}

function readProblem(item: Fields, at: string): VerifyProblem {
  const problem = own(item, 'problem');
  if (!PROBLEMS.includes(problem as VerifyProblem['problem'])) {
    throw badField(join(at, 'problem'), `one of ${PROBLEMS.join(', ')}`, problem);
  }
  return { ...readChunkKey(item, at), problem: problem as VerifyProblem['problem'] };
}

/** `report.<key>`: a list of maps, each read by `read`. */
function readReportList<T>(fields: Fields, key: string, read: (item: Fields, at: string) => T): T[] {
  const path = join('report', key);
  return checkArray(own(fields, key), path, CHUNK_INDEX_LIMIT).map((entry, i) =>
    read(readObject(entry, join(path, i)), join(path, i)),
  );
}

function readStoreCheck(value: unknown): StoreCheck {
  const fields = readObject(value, 'report');
  return {
    checkedChunks: readUint(fields, 'checkedChunks', MAX_BYTES, 'report'),
    checkedBytes: readUint(fields, 'checkedBytes', MAX_BYTES, 'report'),
    problems: readReportList(fields, 'problems', readProblem),
    repaired: readUint(fields, 'repaired', MAX_BYTES, 'report'),
    notHeld: readReportList(fields, 'notHeld', readChunkKey),
    droppedAtOpen: readUint(fields, 'droppedAtOpen', MAX_BYTES, 'report'),
  };
}

const eventReaders: { [K in ControlEventType]: (fields: Fields) => ControlEventFields[K] } = {
  progress: (fields) => ({
    mediaSeconds: readNumber(fields, 'mediaSeconds', 0, 1e9),
    totalSeconds: isAbsent(fields, 'totalSeconds') ? null : readNumber(fields, 'totalSeconds', 0, 1e9),
    bytesOut: readUint(fields, 'bytesOut', MAX_BYTES),
  }),
  notice: (fields) => {
    const level = own(fields, 'level');
    if (!NOTICE_LEVELS.includes(level as NoticeLevel))
      throw badField('level', `one of ${NOTICE_LEVELS.join(', ')}`, level);
    return { level: level as NoticeLevel, text: readString(fields, 'text', MAX_TEXT_CHARS) };
  },
  video: (fields) => ({ video: readVideoSummary(own(fields, 'video'), 'video') }),
  data: (fields) => {
    const bytes = readUint(fields, 'size', MAX_DATA_BYTES);
    if (bytes === 0) throw badField('size', `1 to ${MAX_DATA_BYTES} bytes`, bytes);
    return { size: bytes };
  },
};

const resultReaders: { [K in ControlCommand]: (fields: Fields) => ControlResultFields[K] } = {
  add: (fields) => ({ manifest: readManifest(own(fields, 'manifest'), 'manifest') }),
  ls: (fields) => ({ count: readUint(fields, 'count', MAX_BYTES) }),
  verify: (fields) => ({ report: readStoreCheck(own(fields, 'report')) }),
  export: (fields) => ({
    bytes: readUint(fields, 'bytes', MAX_BYTES),
    chunks: readUint(fields, 'chunks', CHUNK_INDEX_LIMIT),
  }),
};

// ---- lines ---------------------------------------------------------------------------------------

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
  const read = requestReaders[type] as (fields: Fields) => object;
  return {
    type,
    ...asControlProblem(`bad ${type} request`, () => read(fields), 'BAD_REQUEST'),
  } as ControlRequest;
}

/** A request line as the node receives it, its token aside. Throws ControlProblem. */
export function parseRequestLine(line: Uint8Array): ControlRequest {
  return readRequest(parseRequestEnvelope(line));
}

/** The line for `request`, carrying `token` when given (see core/control/token.ts). */
export function encodeRequest(request: ControlRequest, token?: string): string {
  const read = requestReaders[request.type] as (fields: Fields) => object;
  const fields = asControlProblem(
    `bad ${request.type} request`,
    () => read(request as unknown as Fields),
    'BAD_REQUEST',
  );
  return line({ type: request.type, ...fields, ...(token !== undefined ? { token } : {}) });
}

export function encodeEvent(event: ControlEvent): string {
  const read = eventReaders[event.type] as (fields: Fields) => object;
  return line({
    type: event.type,
    ...asControlProblem(`bad ${event.type} event`, () => read(event as unknown as Fields), 'BAD_REPLY'),
  });
}

export function encodeResult<K extends ControlCommand>(command: K, result: ControlResultFields[K]): string {
  const read = resultReaders[command] as (fields: Fields) => object;
  const fields = asControlProblem(
    `bad ${command} result`,
    () => read(result as unknown as Fields),
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
    const code = own(fields, 'code');
    if (typeof code !== 'string' || !ERROR_CODE_FORMAT.test(code)) {
      throw new ControlProblem(
        'BAD_REPLY',
        `error line: field "code" must be an upper-case code; got ${describeValue(code)}`,
      );
    }
    const message = asControlProblem(
      'error line',
      () => readString(fields, 'message', MAX_TEXT_CHARS),
      'BAD_REPLY',
    );
    return { kind: 'error', code, message };
  }
  if (type === `${command}-ok`) {
    const read = resultReaders[command] as (fields: Fields) => ControlResultFields[K];
    return { kind: 'result', result: asControlProblem(`${command}-ok`, () => read(fields), 'BAD_REPLY') };
  }
  const allowed: readonly string[] = EVENTS_OF[command];
  if (typeof type !== 'string' || !allowed.includes(type)) {
    throw new ControlProblem(
      'BAD_REPLY',
      `a ${command} command gets ${[...allowed, `${command}-ok`, 'error'].join(', ')} lines; got type ${describeValue(type)}`,
    );
  }
  const eventType = type as ControlEventType;
  const read = eventReaders[eventType] as (fields: Fields) => object;
  const event = {
    type: eventType,
    ...asControlProblem(`${eventType} event`, () => read(fields), 'BAD_REPLY'),
  } as ControlEvent;
  return { kind: 'event', event };
}
