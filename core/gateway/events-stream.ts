import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { LiveUpdate } from '../shared/api-types.js';
import type { GatewayBackend } from './backend.js';

/**
 * Server-Sent Events of LiveUpdate. The first two events are the current stats and topology, so a
 * player that connects late has a full picture without a second request. Comment lines keep idle
 * proxies and the browser from timing the stream out; the stream ends when the client goes away.
 */
export function liveUpdates(c: Context, backend: GatewayBackend, keepaliveMs: number): Response {
  return streamSSE(c, async (stream) => {
    let wake: (() => void) | undefined;
    const ended = new Promise<void>((resolve) => {
      wake = resolve;
    });
    // Writes are chained so events keep their order even when the backend pushes in a burst.
    let writing: Promise<unknown> = Promise.resolve();
    const send = (update: LiveUpdate): void => {
      writing = writing.then(() => writeUpdate(stream, update)).catch(() => stream.abort());
    };
    const unsubscribeOnce = backend.subscribe(send);
    let subscribed = true;
    const unsubscribe = (): void => {
      if (subscribed) unsubscribeOnce();
      subscribed = false;
    };
    stream.onAbort(() => {
      unsubscribe();
      wake?.();
    });
    c.req.raw.signal.addEventListener('abort', () => stream.abort(), { once: true });

    const [stats, topology] = await Promise.all([backend.stats(), backend.topology()]);
    send({ type: 'stats', stats });
    send({ type: 'topology', topology });

    while (!stream.aborted && !stream.closed) {
      const timedOut = await waitUnlessEnded(keepaliveMs, ended);
      if (!timedOut || stream.aborted) break;
      writing = writing.then(() => stream.write(': keepalive\n\n')).catch(() => stream.abort());
      await writing;
    }
    unsubscribe();
  });
}

async function writeUpdate(stream: SSEStreamingApi, update: LiveUpdate): Promise<void> {
  if (stream.aborted || stream.closed) return;
  await stream.writeSSE({ event: update.type, data: JSON.stringify(update) });
}

/** Resolves true after `ms`, or false as soon as `ended` settles (clearing the timer either way). */
async function waitUnlessEnded(ms: number, ended: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), ms);
  });
  try {
    return await Promise.race([elapsed, ended.then(() => false)]);
  } finally {
    clearTimeout(timer);
  }
}
