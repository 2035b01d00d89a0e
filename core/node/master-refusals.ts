/** A master's error replies as a child's link reads them: the code, and what the refusal says to do next. */
import type { PeerRef } from '../protocol/messages.js';
import { isPeerStreamerError } from '../util/errors.js';

/** The code a peer answered with, when the failure is an error reply. */
export function remoteCodeOf(error: unknown): unknown {
  return isPeerStreamerError(error) ? error.context.remoteCode : undefined;
}

/** The nodes a full master suggested (MASTER_FULL), or none. */
export function tryInsteadOf(error: unknown): PeerRef[] {
  if (remoteCodeOf(error) !== 'MASTER_FULL') return [];
  const places = isPeerStreamerError(error) ? error.context.tryInstead : undefined;
  return Array.isArray(places) ? (places as PeerRef[]) : [];
}

/** The reply's `retryAfterMs`, when the failure is an error reply that gave one. */
export function retryAfterOf(error: unknown): number | undefined {
  const value = isPeerStreamerError(error) ? error.context.retryAfterMs : undefined;
  return typeof value === 'number' ? value : undefined;
}
