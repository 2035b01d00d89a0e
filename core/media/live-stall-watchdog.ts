/**
 * Notices a live input that has gone quiet: a publisher whose network died without closing the
 * connection, a camera that hung. ffmpeg would wait on such an input forever, so the cutter asks this
 * watchdog, which reads ffmpeg's `-progress` reports (fd 3) and fires once neither they nor the output
 * have moved for the allowed time. A report "moves" when its frame count, output time or output size
 * changed: ffmpeg keeps repeating the last report while its input is stuck, and writes none at all
 * while a single input blocks in a read; both count as quiet.
 */
import type { Readable } from 'node:stream';

/** Keys of ffmpeg's progress blocks that advance only while media flows. */
const MOVING_KEYS = new Set(['frame', 'out_time_us', 'total_size']);

export class StallWatchdog {
  private lastMoveMs = 0;
  private armed = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly seen = new Map<string, string>();
  private partial = '';

  constructor(
    private readonly stallMs: number,
    private readonly onStall: (quietMs: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads progress lines from `progress` (ffmpeg's fd 3). */
  watch(progress: Readable): void {
    progress.setEncoding('utf8');
    progress.on('data', (text: string) => this.readProgress(text));
    // The pipe closes with ffmpeg; an error on it says nothing the exit will not say better.
    progress.on('error', () => undefined);
  }

  /** Starts the clock: the input has begun sending (before this, waiting for a publisher is not a stall). */
  arm(): void {
    if (this.armed) return;
    this.armed = true;
    this.lastMoveMs = this.now();
    // Checked several times per allowed quiet span, so it fires at most a quarter late.
    const every = Math.max(50, Math.min(1000, this.stallMs / 4));
    this.timer = setInterval(() => this.check(), every);
    this.timer.unref();
  }

  /** Media moved (output arrived, or progress advanced). */
  moved(): void {
    this.lastMoveMs = this.now();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.armed = false;
  }

  private check(): void {
    const quiet = this.now() - this.lastMoveMs;
    if (quiet < this.stallMs) return;
    this.stop();
    this.onStall(quiet);
  }

  private readProgress(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const equals = line.indexOf('=');
      if (equals < 0) continue;
      const key = line.slice(0, equals).trim();
      if (!MOVING_KEYS.has(key)) continue;
      const value = line.slice(equals + 1).trim();
      if (this.seen.get(key) !== value) {
        this.seen.set(key, value);
        this.moved();
      }
    }
  }
}
