/**
 * Watches the main process's event-loop delay: the node shares this loop with the window, so a
 * long block would freeze the UI. Logged, not enforced: a warning in the logs is the signal to move
 * the node into a utility process.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Logger } from '../core/util/logger.js';

const REPORT_EVERY_MS = 60_000;
/** Above this p99 a frame is visibly late (more than three 60 Hz frames). */
const WARN_P99_MS = 50;

export class LoopMonitor {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly logger: Logger) {
    this.histogram.enable();
    this.timer = setInterval(() => this.report(), REPORT_EVERY_MS);
    this.timer.unref();
  }

  report(): void {
    const p99 = this.histogram.percentile(99) / 1e6;
    const max = this.histogram.max / 1e6;
    this.histogram.reset();
    const fields = { p99Ms: Math.round(p99), maxMs: Math.round(max) };
    if (p99 > WARN_P99_MS) this.logger.warn(fields, 'main-process event loop is lagging; the UI may stutter');
    else this.logger.debug(fields, 'main-process event loop delay');
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
