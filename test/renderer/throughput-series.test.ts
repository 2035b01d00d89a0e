/**
 * The throughput chart's arithmetic, without a browser: steady 1 s buckets read off counters that
 * arrive whenever the node sends them.
 */
import { describe, expect, it } from 'vitest';
import {
  appendSample,
  axisTop,
  rateBuckets,
  type ThroughputSample,
} from '../../renderer/src/stats/throughput-series.js';

const fetched = (peer: number, master = 0) => ({ bytesFetched: { local: 0, peer, master, source: 0 } });

function history(points: Array<[t: number, peer: number, master?: number]>): ThroughputSample[] {
  let samples: ThroughputSample[] = [];
  for (const [t, peer, master] of points) samples = appendSample(samples, t, fetched(peer, master));
  return samples;
}

describe('rate buckets', () => {
  it('one bucket per second ending at the newest sample, with the rate of each', () => {
    const buckets = rateBuckets(
      history([
        [0, 0],
        [1_000, 1_000],
        [2_000, 3_000],
        [3_000, 3_000],
      ]),
    );
    expect(buckets.map((bucket) => bucket.total)).toEqual([1_000, 2_000, 0]);
    expect(buckets.map((bucket) => bucket.start)).toEqual([0, 1_000, 2_000]);
  });

  it('reads bucket edges between irregular updates, and keeps origins apart', () => {
    // 4,000 bytes from peers spread evenly over 0..2 s, then 500 bytes from the master by 2.5 s.
    const buckets = rateBuckets(
      history([
        [0, 0, 0],
        [2_000, 4_000, 0],
        [2_500, 4_000, 500],
        [3_000, 4_000, 500],
      ]),
    );
    expect(buckets.map((bucket) => bucket.rates.peer)).toEqual([2_000, 2_000, 0]);
    expect(buckets.map((bucket) => bucket.rates.master)).toEqual([0, 0, 500]);
  });

  it('leaves out the time before the first sample instead of drawing it as zero', () => {
    expect(
      rateBuckets(
        history([
          [50_000, 0],
          [52_000, 2_000],
        ]),
      ),
    ).toHaveLength(2);
    expect(rateBuckets(history([[0, 0]]))).toEqual([]);
  });

  it('a counter that went down (the node restarted) is no traffic, not negative traffic', () => {
    const buckets = rateBuckets(
      history([
        [0, 10_000],
        [1_000, 0],
        [2_000, 500],
      ]),
    );
    expect(buckets.map((bucket) => bucket.total)).toEqual([0, 500]);
  });

  it('keeps only the last minute or so, and takes missing origins as zero', () => {
    let samples: ThroughputSample[] = [];
    for (let t = 0; t <= 200_000; t += 1_000) samples = appendSample(samples, t, fetched(t));
    expect(samples[0]!.t).toBeGreaterThanOrEqual(200_000 - 65_000);
    expect(rateBuckets(samples)).toHaveLength(60);
    const partial = appendSample([], 0, { bytesFetched: { peer: 5 } as never });
    expect(partial[0]!.fetched).toEqual({ local: 0, peer: 5, master: 0, source: 0 });
  });
});

describe('the rate axis', () => {
  it('tops out at a round number of bits per second at or above the peak', () => {
    expect(axisTop(0) * 8).toBe(200_000);
    expect(axisTop(30_000) * 8).toBe(500_000);
    expect(axisTop(1_000_000) * 8).toBe(10_000_000);
    expect(axisTop(1_250_001) * 8).toBe(20_000_000);
  });
});
