/**
 * How a bed run's viewings are printed: one row per viewer, then medians. The figures are what
 * docs/BENCHMARKS.md quotes, so they are printed on every run, passing or not.
 */
import type { Viewing } from './host-node.js';

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}

export function viewingRows(viewings: Viewing[]): string {
  const rows = viewings.map(
    (v) =>
      `  ${v.host.padEnd(4)} ${String(v.code).padEnd(5)} ${String(v.bytes).padStart(9)}  first byte ${seconds(v.firstByteMs).padStart(5)} s  longest stall ${seconds(v.longestStallMs).padStart(5)} s  total ${seconds(v.totalMs).padStart(5)} s`,
  );
  return `  host exit  bytes\n${rows.join('\n')}`;
}
