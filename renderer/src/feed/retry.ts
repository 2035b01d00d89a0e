import { failureFromThrown, isAbort, type GatewayFailure } from '../api/gateway-error.ts';

export interface RetryHooks {
  /** Called after each failed attempt (1-based), before the wait. */
  onFailure(failure: GatewayFailure, attempt: number): void;
  onSuccess(): void;
}

/** 250 ms doubling to 5 s, with jitter so many viewers do not retry in lockstep. */
export function backoffMs(attempt: number): number {
  const base = Math.min(5_000, 250 * 2 ** Math.max(0, attempt - 1));
  return base * (0.8 + Math.random() * 0.4);
}

/**
 * Runs `task` until it succeeds, it fails for good (`fatal`), or `signal` aborts. Outages are retried
 * without limit so playback resumes by itself when a node comes back.
 */
export async function withRetry<T>(
  task: (signal: AbortSignal) => Promise<T>,
  signal: AbortSignal,
  hooks: RetryHooks,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await task(signal);
      hooks.onSuccess();
      return value;
    } catch (error) {
      if (signal.aborted || isAbort(error)) throw error;
      const failure = failureFromThrown(error);
      hooks.onFailure(failure, attempt);
      if (failure.kind === 'fatal') throw failure;
      await sleep(backoffMs(attempt), signal);
    }
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
