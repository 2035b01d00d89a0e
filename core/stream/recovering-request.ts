/**
 * A play client's request to its own node, asked again while the node recovers. A node whose master
 * dies answers UNREACHABLE (or times out) until it has failed over, which under load can take longer
 * than its own two tries at the master; it keeps retrying upstream meanwhile, so a viewer that gave up
 * at the first such answer would stop playing while its node was already on the way back.
 */
import { isPeerStreamerError } from '../util/errors.js';

/** Answers a node gives while it recovers by itself. */
const PASSING_CODES: ReadonlySet<string> = new Set(['UNREACHABLE', 'TIMEOUT', 'OVERLOADED']);

export interface RecoveryOptions {
  /** How long after the first failure the request is still asked again. */
  budgetMs: number;
  /** The first wait between tries; it doubles, up to 2 s. */
  firstWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export async function requestWithRecovery<T>(
  attempt: () => Promise<T>,
  options: RecoveryOptions,
): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let wait = options.firstWaitMs ?? 250;
  let failedAt: number | undefined;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!isPeerStreamerError(error) || !PASSING_CODES.has(error.code)) throw error;
      failedAt ??= now();
      if (now() + wait - failedAt > options.budgetMs) throw error;
      await sleep(wait);
      wait = Math.min(2_000, wait * 2);
    }
  }
}
