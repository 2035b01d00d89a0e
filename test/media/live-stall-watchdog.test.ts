/** The stall watchdog on a progress stream we write ourselves, in real (short) time. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StallWatchdog } from '../../core/media/live-stall-watchdog.js';
import { waitFor } from '../helpers/wait.js';

describe('StallWatchdog', () => {
  it('fires only after the progress it reads stops moving for the allowed time', async () => {
    const fired: number[] = [];
    const watchdog = new StallWatchdog(300, (quietMs) => fired.push(quietMs));
    const progress = new PassThrough();
    watchdog.watch(progress);
    watchdog.arm();
    let lastMove = 0;
    for (let frame = 1; frame <= 6; frame++) {
      progress.write(`frame=${frame}\nout_time_us=${frame * 100000}\nprogress=continue\n`);
      lastMove = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(fired).toEqual([]);
    // The same block again, as ffmpeg repeats it while its input is stuck, is not movement.
    progress.write('frame=6\nout_time_us=600000\nprogress=continue\n');
    await waitFor(() => fired.length > 0, 'the watchdog to fire', 3000);
    expect(Date.now() - lastMove).toBeGreaterThanOrEqual(300 - 20);
    expect(fired[0]).toBeGreaterThanOrEqual(300);
    watchdog.stop();
  });

  it('does not fire before it is armed (a listener waiting for its publisher)', async () => {
    const fired: number[] = [];
    const watchdog = new StallWatchdog(100, (quietMs) => fired.push(quietMs));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fired).toEqual([]);
    watchdog.stop();
  });
});
