import type { ChunkOrigin, NodeStats } from '../api/types.ts';

/** Bottom to top in the stacked chart, in the order the "bytes by origin" list names them. */
export const ORIGINS: readonly ChunkOrigin[] = ['local', 'peer', 'master', 'source'];

/** The node's cumulative fetched-bytes counters, by origin, as seen at time `t` (ms). */
export interface ThroughputSample {
  t: number;
  fetched: Record<ChunkOrigin, number>;
}

/** One steady step of the chart: bytes per second by origin over the bucket that begins at `start`. */
export interface RateBucket {
  start: number;
  rates: Record<ChunkOrigin, number>;
  total: number;
}

export const WINDOW_MS = 60_000;
export const BUCKET_MS = 1_000;
/** A little more than the window, so the oldest bucket's left edge can still be interpolated. */
const KEEP_MS = WINDOW_MS + 5_000;
/** A node pushing stats very often must not grow the history without bound. */
const MAX_SAMPLES = 1_000;

/** The history with one more sample; samples older than the chart can show are dropped. */
export function appendSample(
  samples: readonly ThroughputSample[],
  t: number,
  stats: Pick<NodeStats, 'bytesFetched'>,
): ThroughputSample[] {
  const fetched = {} as Record<ChunkOrigin, number>;
  // Readers treat every stats key as optional: an older node may not send all four origins.
  for (const origin of ORIGINS) fetched[origin] = finite(stats.bytesFetched?.[origin]);
  const kept = samples.filter((sample) => sample.t >= t - KEEP_MS && sample.t < t);
  kept.push({ t, fetched });
  return kept.slice(-MAX_SAMPLES);
}

/**
 * Bytes per second in steady buckets ending at the newest sample, oldest first. Updates arrive at
 * their own pace (pushed every second, or polled), so each bucket's edges are read off
 * the counters by linear interpolation between the samples around them. Buckets from before the
 * first sample are left out rather than drawn as zero. A counter that went down (the node restarted)
 * counts as no traffic, not as negative traffic.
 */
export function rateBuckets(
  samples: readonly ThroughputSample[],
  windowMs = WINDOW_MS,
  bucketMs = BUCKET_MS,
): RateBucket[] {
  if (samples.length < 2) return [];
  const end = samples.at(-1)!.t;
  const first = samples[0]!.t;
  const buckets: RateBucket[] = [];
  for (let i = Math.floor(windowMs / bucketMs); i >= 1; i--) {
    const start = end - i * bucketMs;
    if (start < first) continue;
    const rates = {} as Record<ChunkOrigin, number>;
    let total = 0;
    for (const origin of ORIGINS) {
      const delta = counterAt(samples, start + bucketMs, origin) - counterAt(samples, start, origin);
      rates[origin] = Math.max(0, (delta * 1000) / bucketMs);
      total += rates[origin];
    }
    buckets.push({ start, rates, total });
  }
  return buckets;
}

/** The counter's value at time `t`, which lies within the samples' span. */
function counterAt(samples: readonly ThroughputSample[], t: number, origin: ChunkOrigin): number {
  let low = 0;
  let high = samples.length - 1;
  if (t >= samples[high]!.t) return samples[high]!.fetched[origin];
  // Binary search for the last sample at or before t.
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (samples[middle]!.t <= t) low = middle;
    else high = middle;
  }
  const before = samples[low]!;
  const after = samples[high]!;
  const span = after.t - before.t;
  const share = span > 0 ? (t - before.t) / span : 1;
  return before.fetched[origin] + (after.fetched[origin] - before.fetched[origin]) * share;
}

/**
 * The top of the rate axis: a round number of bits per second (1, 2 or 5 times a power of ten) at
 * or above the peak, and never below 200 kbit/s, so an idle chart stays flat instead of magnifying a
 * few bytes into a mountain.
 */
export function axisTop(peakBytesPerSecond: number): number {
  const bits = Math.max(200_000, finite(peakBytesPerSecond) * 8);
  const power = 10 ** Math.floor(Math.log10(bits));
  const step = [1, 2, 5, 10].find((factor) => factor * power >= bits) ?? 10;
  return (step * power) / 8;
}

function finite(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
