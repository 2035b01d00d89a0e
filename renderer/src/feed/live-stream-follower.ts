import { api } from '../api/client.ts';
import { onLiveStream } from '../api/live.ts';
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
 * Follows a live stream's growing manifest for the feed until the stream ends or fails, and hands on
 * each one that is newer than the last.
 *
 * The node pushes word of each new chunk on the gateway's event stream (api/events, `live-stream`):
 * the manifest is read again the moment one is stored, so a chunk is fetched a poll's wait sooner,
 * which at two seconds behind the edge is the margin between playing on and stalling. It also polls
 * about once a chunk, for an event stream that dropped or could not open (a buffering proxy).
 */
export class LiveStreamFollower {
  private current: MediaManifest;
  /** Ends the current wait between reads early: the node said the stream grew. */
  private wake: (() => void) | null = null;
  /** Word came while a read was in flight: the next read goes at once. */
  private woken = false;

  constructor(private readonly options: LiveStreamFollowerOptions) {
    this.current = options.manifest;
  }

  run(): void {
    const unsubscribe = onLiveStream((update) => {
      if (update.video !== this.options.name) return;
      const newest = this.current.chunks.at(-1)?.index ?? -1;
      if (update.newest <= newest && update.state === this.current.live?.state) return;
      if (this.wake !== null) this.wake();
      else this.woken = true;
    });
    void this.loop().finally(unsubscribe);
  }

  private async loop(): Promise<void> {
    const { name, lifetime, problems } = this.options;
    let failures = 0;
    while (!lifetime.aborted && isOngoingLive(this.current)) {
      if (!this.woken && !(await pause(LIVE_POLL_MS, lifetime, (wake) => (this.wake = wake)))) return;
      this.wake = null;
      this.woken = false;
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

/**
 * Resolves true after `ms` or when the function handed to `onWake` is called, false at once if
 * `signal` aborts first.
 */
function pause(ms: number, signal: AbortSignal, onWake: (wake: () => void) => void): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const aborted = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const elapsed = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', aborted);
      resolve(true);
    };
    const timer = setTimeout(elapsed, ms);
    signal.addEventListener('abort', aborted, { once: true });
    onWake(elapsed);
  });
}
