import { api } from '../api/client.ts';
import { GatewayFailure, isAbort } from '../api/gateway-error.ts';
import type { MediaManifest } from '../api/types.ts';
import { isOngoingLive, LIVE_POLL_MS } from './live-stream.ts';
import { problemFromFailure, type ProblemReport } from './problem.ts';

export interface LiveStreamFollowerOptions {
  name: string;
  /** The manifest the feed started from. */
  manifest: MediaManifest;
  /** Aborted when the feed is destroyed: following stops with it. */
  lifetime: AbortSignal;
  problems: ProblemReport;
  /** A newer manifest of the same stream: more chunks, a window moved on, or its end. */
  onManifest(manifest: MediaManifest): void;
}

/**
 * Follows a live stream's growing manifest for the feed: reads it again about once a chunk until the
 * stream ends or fails, and hands on each one that is newer than the last.
 *
 * It polls. The manifest is a small JSON the node answers from memory, and once a second is what a
 * viewer playing two seconds behind the edge needs. The gateway's SSE stream (api/events) carries
 * stats and topology today; once the node's live session announces chunks there, a push could
 * replace the poll, with the poll kept as the fallback for a dropped event stream.
 */
export class LiveStreamFollower {
  private current: MediaManifest;

  constructor(private readonly options: LiveStreamFollowerOptions) {
    this.current = options.manifest;
  }

  run(): void {
    void this.loop();
  }

  private async loop(): Promise<void> {
    const { name, lifetime, problems } = this.options;
    let failures = 0;
    while (!lifetime.aborted && isOngoingLive(this.current)) {
      if (!(await pause(LIVE_POLL_MS, lifetime))) return;
      let next;
      try {
        next = await api.manifest(name, lifetime);
      } catch (error) {
        if (isAbort(error) || lifetime.aborted) return;
        failures++;
        // The feed plays on from what it has; the viewer hears of it only when it lasts.
        if (error instanceof GatewayFailure) {
          const problem = problemFromFailure(error, failures, "the live stream's manifest");
          if (problem !== null && failures >= 3) problems.set(problem);
        }
        continue;
      }
      if (failures > 0 && problems.retrying) problems.set(null);
      failures = 0;
      if (this.isNewer(next)) {
        this.current = next;
        this.options.onManifest(next);
      }
    }
  }

  /**
   * A manifest of the same stream that lists a later chunk or a changed state. An older one (a node
   * that has not heard of the newest chunk yet) would take chunks away: it is skipped.
   */
  private isNewer(next: MediaManifest | { kind: string }): next is MediaManifest {
    if (next.kind !== 'fmp4') return false;
    const manifest = next as MediaManifest;
    if (manifest.live?.stream !== this.current.live?.stream) return false;
    if (manifest.live?.state !== this.current.live?.state) return true;
    return (manifest.chunks.at(-1)?.index ?? -1) > (this.current.chunks.at(-1)?.index ?? -1);
  }
}

/** Resolves true after `ms`, false at once if `signal` aborts first. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', done);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
