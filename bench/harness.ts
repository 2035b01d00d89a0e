/**
 * Shared benchmark plumbing: each suite returns rows; run.ts prints them beside their targets and
 * writes JSON to bench/results/. Machines here are noisy, so suites report medians of repeated runs
 * and, where a target is relative, the ratio measured side by side in the same run.
 */
export interface BenchRow {
  suite: string;
  what: string;
  /** The measured figure (a median where repeated). */
  value: number;
  unit: string;
  /** Human-readable target, e.g. ">= 1 GB/s" or ">= 70 % of dd". */
  target: string;
  pass: boolean;
  /** Side-by-side reference figures, ratios, sample counts. */
  detail?: string;
}

export interface BenchSuite {
  name: string;
  run(): Promise<BenchRow[]>;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export { percentile } from '../core/util/percentile.js';

/** Runs `fn` `times` times and returns each run's wall time in milliseconds. */
export async function timeRuns(times: number, fn: (run: number) => Promise<void> | void): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < times; run++) {
    const started = process.hrtime.bigint();
    await fn(run);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return samples;
}
