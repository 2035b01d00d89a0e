/** What a simulation reports: its figures, as JSON and for the chart. */
import { percentile } from '../util/percentile.js';
import type { SimulationOptions } from './simulation-options.js';

export interface Spread {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface SimulationReport {
  options: SimulationOptions;
  wallSeconds: number;
  virtualSeconds: number;
  timersFired: number;
  /** The process's resident memory at its largest, sampled each simulated second. */
  peakRssMiB: number;
  videoBytes: number;
  /** What the source sent as chunks, in multiples of the video's size. */
  sourceEgressVideos: number;
  /** Share of all chunk bytes viewers received that did not come from the source. */
  offload: number;
  /** The best possible offload for this many viewers: 1 - 1/N. */
  offloadLimit: number;
  viewersStarted: number;
  viewersFinished: number;
  startupMs: Spread;
  /** Time spent stalled after the first frame, over time spent watching. */
  stallRatio: number;
  rebuffersPerViewerHour: number;
  /** The deepest level a node reached (the source is 0). */
  depth: number;
  /** The most children any master had at once, sampled each second. */
  mostChildren: number;
  controlMessagesPerNodePerSecond: number;
  /** Times a node's fetcher gave up on its master as silent and failed over. */
  failovers: number;
  churn: { left: number; crashed: number; joined: number };
  /** Children whose master left: how long until they were registered somewhere again. */
  orphans: { count: number; reattachMs: Spread | null; stillOrphaned: number };
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
  };
}
