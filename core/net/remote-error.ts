/**
 * An error reply from a peer, turned into a local PeerStreamerError. Codes that mean the same thing on
 * both sides (CHUNK_NOT_FOUND, OVERLOADED, TIMEOUT, ...) keep their code so callers can branch on it;
 * protocol-level codes (BAD_REQUEST, UNSUPPORTED_VERSION, NOT_REGISTERED, ...) become PROTOCOL with
 * the remote's code in `context.remoteCode`.
 */
import { errorFromRemote, type ErrorCode, type PeerStreamerError } from '../util/errors.js';
import type { ErrorReply, RequestType } from '../protocol/messages.js';

const SHARED_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'CHUNK_NOT_FOUND',
  'VIDEO_NOT_FOUND',
  'INVALID_CHECKSUM',
  'OVERLOADED',
  'TIMEOUT',
  'UNREACHABLE',
  'INTERNAL',
  'INVALID_NAME',
  'DISK_FULL',
]);

export function remoteError(address: string, type: RequestType, reply: ErrorReply): PeerStreamerError {
  const context = {
    address,
    type,
    ...(reply.retryAfterMs === undefined ? {} : { retryAfterMs: reply.retryAfterMs }),
    ...(reply.asked === undefined ? {} : { asked: reply.asked }),
    ...(reply.tryInstead === undefined ? {} : { tryInstead: reply.tryInstead }),
  };
  // A missing video is worded once, by the node that had nowhere left to ask, with the path it took;
  // repeating "X refused" at every hop would bury that sentence under the chain that carried it.
  return errorFromRemote(reply, SHARED_CODES, context, (kept) =>
    kept && reply.code === 'VIDEO_NOT_FOUND' && reply.asked !== undefined
      ? reply.message
      : `${address} refused ${type} with ${reply.code}: ${reply.message}`,
  );
}
