/**
 * Coded errors that carry context. The message is written for the person who will read it: it names
 * the input, what was expected, and what to do next. The code lets programs (and tests) branch on it.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_NAME'
  | 'INPUT_NOT_FOUND'
  | 'NOT_MEDIA'
  | 'CORRUPT_MEDIA'
  | 'FFMPEG_FAILED'
  | 'VIDEO_EXISTS'
  | 'VIDEO_NOT_FOUND'
  | 'CHUNK_NOT_FOUND'
  | 'STORE_NOT_WRITABLE'
  | 'STORE_LOCKED'
  | 'STORE_CORRUPT'
  | 'DISK_FULL'
  | 'INVALID_CHECKSUM'
  | 'LEGACY_FORMAT'
  | 'PROTOCOL'
  | 'TIMEOUT'
  | 'UNREACHABLE'
  | 'PORT_IN_USE'
  | 'OVERLOADED'
  | 'NOT_REGISTERED'
  | 'NAME_TAKEN'
  | 'NOT_SEEDING'
  | 'INTERNAL';

export class PeerStreamerError extends Error {
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    context: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PeerStreamerError';
    this.code = code;
    this.context = context;
  }
}

export function isPeerStreamerError(error: unknown, code?: ErrorCode): error is PeerStreamerError {
  return error instanceof PeerStreamerError && (code === undefined || error.code === code);
}

/** Node's errno codes that mean the disk (or quota) is full. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
