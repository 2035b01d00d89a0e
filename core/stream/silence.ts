import { isPeerStreamerError } from '../util/errors.js';

/**
 * True when the peer itself did not answer. A TIMEOUT or UNREACHABLE *reply* means the master is alive
 * but its own upstream failed: that is no reason to leave it.
 */
export function isSilence(error: unknown): boolean {
  if (!isPeerStreamerError(error) || error.context.remoteCode !== undefined) return false;
  return error.code === 'TIMEOUT' || error.code === 'UNREACHABLE';
}
