/**
 * Errors on the control channel. The node answers a failed command with the code and message of the
 * error it met (VIDEO_EXISTS, NOT_MEDIA, DISK_FULL, ...), so the CLI branches on the same codes as
 * when it opens the store itself; the channel's own problems (a bad line, an unknown version) have
 * codes of their own.
 */
import { clipMessage } from '../protocol/limits.js';
import { WireProblem } from '../protocol/problems.js';
import {
  errorFromRemote,
  isPeerStreamerError,
  type ErrorCode,
  type PeerStreamerError,
} from '../util/errors.js';
import type { ControlChannelCode } from './messages.js';

/** A line that broke the channel's rules; it becomes an `error` line, never a crash. */
export class ControlProblem extends Error {
  constructor(
    readonly code: ControlChannelCode | 'BAD_REPLY',
    message: string,
  ) {
    super(message);
    this.name = 'ControlProblem';
  }
}

/** Runs a field reader from core/protocol, whose problems name the field, as a control problem. */
export function asControlProblem<T>(what: string, read: () => T, code: 'BAD_REQUEST' | 'BAD_REPLY'): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof WireProblem) throw new ControlProblem(code, `${what}: ${error.message}`);
    throw error;
  }
}

/** What the node writes in an `error` line for an error a command met; null for unexpected ones. */
export function wireErrorOf(error: unknown): { code: string; message: string } | null {
  if (error instanceof ControlProblem) return { code: error.code, message: clipMessage(error.message) };
  if (isPeerStreamerError(error)) return { code: error.code, message: clipMessage(error.message) };
  return null;
}

/**
 * Codes that mean the same thing on both sides and so keep their code at the client; every other
 * code (the channel's own, or one a newer node invented) becomes PROTOCOL with `remoteCode`.
 */
const SHARED_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'INVALID_ARGUMENT',
  'INVALID_NAME',
  'INPUT_NOT_FOUND',
  'NOT_MEDIA',
  'CORRUPT_MEDIA',
  'CHUNK_TOO_LARGE',
  'FFMPEG_FAILED',
  'VIDEO_EXISTS',
  'VIDEO_NOT_FOUND',
  'CHUNK_NOT_FOUND',
  'STORE_NOT_WRITABLE',
  'STORE_CORRUPT',
  'DISK_FULL',
  'INVALID_CHECKSUM',
  'LEGACY_FORMAT',
  'TIMEOUT',
  'PORT_IN_USE',
  'INTERNAL',
]);

/** The error a client raises for an `error` line: the node's message, which already says what to do. */
export function errorFromNode(code: string, message: string, socket: string): PeerStreamerError {
  return errorFromRemote({ code, message }, SHARED_CODES, { socket }, (kept) =>
    kept ? message : `the running node refused the command (${code}): ${message}`,
  );
}
