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
  | 'CHUNK_TOO_LARGE'
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
  | 'MASTER_FULL'
  | 'WOULD_LOOP'
  | 'NOT_SEEDING'
  | 'KEY_MISMATCH'
  | 'UNAUTHENTICATED'
  | 'KEY_FILE'
  | 'UNTRUSTED_MANIFEST'
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

/**
 * An error another node (or a node's control channel) answered with, raised here. Codes in `shared`
 * mean the same on both sides and keep their code, so callers branch on them as on their own; any
 * other code becomes PROTOCOL. Either way `context.remoteCode` and `context.remoteMessage` carry what
 * was said. `wording` gets whether the code was kept: a kept code's message may stand as it is.
 */
export function errorFromRemote(
  remote: { code: string; message: string },
  shared: ReadonlySet<string>,
  context: Record<string, unknown>,
  wording: (kept: boolean) => string,
): PeerStreamerError {
  const kept = shared.has(remote.code);
  return new PeerStreamerError(kept ? (remote.code as ErrorCode) : 'PROTOCOL', wording(kept), {
    ...context,
    remoteCode: remote.code,
    remoteMessage: remote.message,
  });
}

/** Node's errno codes that mean the disk (or quota) is full. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The one sentence for a video no node in the chain has: `asked` is the path of nodes that looked, the
 * first asked first, up to the node that had no master to ask. `listFrom` is an address the reader can
 * list the swarm's videos through. Callers branch on VIDEO_NOT_FOUND and read `context.asked`.
 */
export function videoNotInSwarm(
  video: string,
  asked: readonly string[],
  listFrom?: string,
): PeerStreamerError {
  const where = asked.length > 0 ? ` (asked ${asked.join(' -> ')})` : '';
  const hint = listFrom === undefined ? '' : ` See the list with: peerstreamer ls --from ${listFrom}`;
  return new PeerStreamerError(
    'VIDEO_NOT_FOUND',
    `No video ${JSON.stringify(video)} in this swarm${where}.${hint}`,
    {
      video,
      asked: [...asked],
      ...(listFrom === undefined ? {} : { listFrom }),
    },
  );
}

/** The path of nodes a VIDEO_NOT_FOUND error says were asked; empty for any other error. */
export function askedPath(error: unknown): string[] {
  if (!isPeerStreamerError(error, 'VIDEO_NOT_FOUND')) return [];
  const asked = error.context.asked;
  return Array.isArray(asked) && asked.every((name) => typeof name === 'string')
    ? [...(asked as string[])]
    : [];
}
