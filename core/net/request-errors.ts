/**
 * Why a request to a peer failed, as the caller sees it, one constructor per failure. Each error
 * names the address and the request type, so a caller (and a log reader) can tell which peer and
 * which question failed, and most say what to try next.
 */
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import type { RequestType } from '../protocol/messages.js';
import type { InvalidReason } from '../protocol/problems.js';

export function queueFull(
  address: string,
  type: RequestType,
  queued: number,
  inFlight: number,
): PeerStreamerError {
  return new PeerStreamerError(
    'OVERLOADED',
    `too many requests are waiting for ${address} (${queued} queued behind ${inFlight} in flight); slow down or try another peer`,
    { address, type },
  );
}

/** Submitted to a connection that had already been closed. */
export function connectionClosed(address: string, type: RequestType): PeerStreamerError {
  return new PeerStreamerError('UNREACHABLE', `the connection to ${address} is closed`, { address, type });
}

/** Still waiting or in flight when its connection was closed. */
export function closedUnderRequest(address: string, type: RequestType, reason: string): PeerStreamerError {
  return new PeerStreamerError('UNREACHABLE', `the connection to ${address} was closed: ${reason}`, {
    address,
    type,
  });
}

/**
 * Sent, and then the peer's end of the connection closed: a stopped or crashed process (its kernel
 * closes the socket at once), so no answer can come. Said now rather than at the deadline.
 */
export function connectionLost(address: string, type: RequestType): PeerStreamerError {
  return new PeerStreamerError(
    'UNREACHABLE',
    `${address} closed the connection before answering ${type}; has that node stopped?`,
    { address, type },
  );
}

/** Not yet sent, and the attempt to connect failed (refused: nothing listens there, or it said no). */
export function connectionRefused(address: string, type: RequestType): PeerStreamerError {
  return new PeerStreamerError(
    'UNREACHABLE',
    `${address} refused the connection for ${type}; is the node running at that address?`,
    { address, type },
  );
}

/**
 * Not yet sent, and the peer's ZAP handler said no in the handshake: it is running, but takes only
 * so many new connections a second from one address, or none while it is full (ConnectionGate), or
 * not this key. Worth telling apart from a refusal, which asks whether the node runs at all.
 */
export function connectionTurnedAway(address: string, type: RequestType): PeerStreamerError {
  return new PeerStreamerError(
    'UNREACHABLE',
    `${address} turned the connection away for ${type} in its handshake: too many new connections from this address, or it is full (wait a moment and try again, over one connection), or this node's key is not on its allow list`,
    { address, type },
  );
}

/** The deadline passed before the request could even be sent. */
export function noConnection(address: string, type: RequestType, timeoutMs: number): PeerStreamerError {
  return new PeerStreamerError(
    'UNREACHABLE',
    `no connection to ${address} within ${timeoutMs} ms for ${type}; is the node running and reachable?`,
    { address, type, timeoutMs },
  );
}

/** The deadline passed after the request was sent. */
export function noAnswer(
  address: string,
  type: RequestType,
  timeoutMs: number,
  id: number,
): PeerStreamerError {
  return new PeerStreamerError(
    'TIMEOUT',
    `${address} did not answer ${type} within ${timeoutMs} ms; try another peer or a longer timeout`,
    { address, type, timeoutMs, id },
  );
}

export function sendFailed(address: string, type: RequestType, error: unknown): PeerStreamerError {
  return new PeerStreamerError(
    'UNREACHABLE',
    `could not send ${type} to ${address}: ${errorMessage(error)}`,
    { address, type },
    { cause: error },
  );
}

export function invalidReply(
  address: string,
  type: RequestType,
  error: unknown,
  reason: InvalidReason | undefined,
): PeerStreamerError {
  return new PeerStreamerError(
    'PROTOCOL',
    `${address} sent an invalid ${type} reply: ${errorMessage(error)}`,
    {
      address,
      type,
      reason,
    },
  );
}

/** A valid reply that does not fit the request it answers (another reply type, video or index). */
export function wrongAnswer(address: string, type: RequestType, mismatch: string): PeerStreamerError {
  return new PeerStreamerError('PROTOCOL', `${address} answered the wrong question: ${mismatch}`, {
    address,
    type,
  });
}
