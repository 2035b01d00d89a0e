import { formatBytes, formatDuration } from '../shared/format.js';

export interface ProgressUpdate {
  done: number;
  total: number;
  /** Bytes produced so far, for the speed readout. */
  bytes: number;
  /** A short note shown after the figures (e.g. where chunks came from). */
  detail?: string;
}

/**
 * A progress reporter that draws a bar with percent, speed and ETA on a terminal, and prints plain
 * lines (at most one per 10 %) when stderr is a pipe or a file, so logs stay readable.
 */
export class ProgressReporter {
  private readonly started = Date.now();
  private lastPlainDecile = -1;
  private lastDraw = 0;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly interactive: boolean = Boolean(process.stderr.isTTY),
    /** `realtime`: media seconds per second (ingest); `throughput`: bytes per second (play). */
    private readonly speedAs: 'realtime' | 'throughput' = 'realtime',
  ) {}

  update({ done, total, bytes, detail }: ProgressUpdate): void {
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const elapsed = (Date.now() - this.started) / 1000;
    const speed = elapsed > 0 ? done / elapsed : 0;
    const eta = speed > 0 ? (total - done) / speed : Number.NaN;
    const percent = Math.floor(fraction * 100);
    const rate =
      this.speedAs === 'realtime'
        ? `${speed.toFixed(1)}x`
        : `${formatBytes(elapsed > 0 ? bytes / elapsed : 0)}/s`;
    const text = `${percent}% ${formatBytes(bytes)} ${rate} ETA ${Number.isFinite(eta) ? formatDuration(eta) : '--:--'}${detail ? ` ${detail}` : ''}`;
    if (this.interactive) {
      const now = Date.now();
      if (now - this.lastDraw < 100 && fraction < 1) return;
      this.lastDraw = now;
      const width = 30;
      const filled = Math.round(fraction * width);
      this.stream.write(
        `\r${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}\u001b[K`,
      );
      return;
    }
    const decile = Math.floor(percent / 10);
    if (decile > this.lastPlainDecile) {
      this.lastPlainDecile = decile;
      this.stream.write(`${this.label}: ${text}\n`);
    }
  }

  /**
   * Clears a drawn bar when the work failed, so the error that follows starts its own line instead of
   * being glued to the end of the bar.
   */
  abandon(): void {
    if (this.interactive && this.lastDraw > 0) this.stream.write('\r\u001b[K');
  }

  finish(summary: string): void {
    if (this.interactive) this.stream.write('\r\u001b[K');
    this.stream.write(`${summary}\n`);
  }
}
