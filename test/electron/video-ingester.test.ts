/**
 * The ingester's queue as others see it: busy from the first queued file until the last is done,
 * however many batches arrive meanwhile, failures included. With no node running each file fails
 * at once (reported to the user), which is enough to see the queue drain without ffmpeg.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/util/logger.js';
import type { IngestProgress } from '../../electron/ipc/contract.js';
import { VideoIngester } from '../../electron/video-ingester.js';

function ingester() {
  const busy: boolean[] = [];
  const reports: IngestProgress[] = [];
  const queue = new VideoIngester(
    () => null,
    (progress) => reports.push(progress),
    silentLogger(),
    (now) => busy.push(now),
  );
  return { queue, busy, reports };
}

describe('VideoIngester', () => {
  it('is busy from the first queued file until the last one is done, across batches', async () => {
    const { queue, busy, reports } = ingester();
    const first = queue.add(['/videos/a.mp4', '/videos/b.mp4']);
    // At once, before any file is looked at: whoever waits on it can hold back at once.
    expect(busy).toEqual([true]);
    const second = queue.add(['/videos/c.mp4']);
    await first;
    expect(busy).toEqual([true]);
    await second;
    expect(busy).toEqual([true, false]);
    expect(reports.map((report) => [report.name, report.state])).toEqual([
      ['a', 'failed'],
      ['b', 'failed'],
      ['c', 'failed'],
    ]);

    await queue.add(['/videos/d.mp4']);
    expect(busy).toEqual([true, false, true, false]);
  });

  it('an empty batch changes nothing', async () => {
    const { queue, busy } = ingester();
    await queue.add([]);
    expect(busy).toEqual([]);
  });
});
