/**
 * Which media time a page's <video> shows, and when: requestVideoFrameCallback's presentation
 * metadata, sampled in the page and drained by the bench. Wall times are the page's
 * performance.timeOrigin plus the frame's expected display time, on the same system clock as the
 * source's capture times (one machine), so capture-to-display latency is their difference.
 */
import type { Page } from 'playwright-core';

/** One presented frame: wall clock (ms since the epoch) and its media time (s). */
export interface FrameSample {
  shownAt: number;
  mediaTime: number;
}

/** The page objects the sampler touches; bench/ type-checks with Node's lib only. */
interface SampledVideo {
  requestVideoFrameCallback(
    callback: (now: number, frame: { mediaTime: number; expectedDisplayTime: number }) => void,
  ): number;
}
interface SamplerWindow {
  document: { querySelector(selector: 'video'): SampledVideo | null };
  __frameSamples?: Array<[number, number]>;
  __sampledVideo?: SampledVideo | null;
}
declare const performance: { timeOrigin: number };

/**
 * Starts sampling the page's <video> (again if the player replaced the element), at most one
 * frame each `everyMs`. Call it periodically: it also re-attaches to a new element.
 */
export async function sampleFrames(page: Page, everyMs: number): Promise<void> {
  await page.evaluate((every) => {
    const win = globalThis as unknown as SamplerWindow;
    const video = win.document.querySelector('video');
    if (video === null || win.__sampledVideo === video) return;
    win.__sampledVideo = video;
    win.__frameSamples ??= [];
    let last = 0;
    const onFrame = (_now: number, frame: { mediaTime: number; expectedDisplayTime: number }): void => {
      if (win.__sampledVideo !== video) return;
      if (frame.expectedDisplayTime - last >= every) {
        last = frame.expectedDisplayTime;
        win.__frameSamples!.push([performance.timeOrigin + frame.expectedDisplayTime, frame.mediaTime]);
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }, everyMs);
}

/** The samples taken since the last drain. */
export async function drainFrames(page: Page): Promise<FrameSample[]> {
  const raw = await page.evaluate(() => {
    const win = globalThis as unknown as SamplerWindow;
    return (win.__frameSamples ?? []).splice(0);
  });
  return raw.map(([shownAt, mediaTime]) => ({ shownAt, mediaTime }));
}
