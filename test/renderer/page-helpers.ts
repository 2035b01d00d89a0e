import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { PageWindow } from './page-types.js';

export const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

export interface VideoState {
  currentTime: number;
  duration: number;
  paused: boolean;
  ended: boolean;
  readyState: number;
  totalVideoFrames: number;
  droppedVideoFrames: number;
  error: string | null;
}

export function videoState(page: Page): Promise<VideoState> {
  return page.evaluate(() => {
    const video = (globalThis as unknown as PageWindow).document.querySelector('video')!;
    const quality = video.getVideoPlaybackQuality();
    return {
      currentTime: video.currentTime,
      duration: video.duration,
      paused: video.paused,
      ended: video.ended,
      readyState: video.readyState,
      totalVideoFrames: quality.totalVideoFrames,
      droppedVideoFrames: quality.droppedVideoFrames,
      error: video.error ? `${video.error.code}: ${video.error.message}` : null,
    };
  });
}

/** Sets currentTime and resolves with the ms until the element plays again past the target. */
export function seekAndTime(page: Page, seconds: number): Promise<number> {
  return page.evaluate(
    (target) =>
      new Promise<number>((resolve, reject) => {
        const video = (globalThis as unknown as PageWindow).document.querySelector('video')!;
        const started = performance.now();
        const timer = setTimeout(
          () => reject(new Error(`no playback 10 s after seeking to ${target}`)),
          10_000,
        );
        const check = (): void => {
          if (!video.seeking && !video.paused && video.readyState >= 3 && video.currentTime > target) {
            clearTimeout(timer);
            video.removeEventListener('timeupdate', check);
            resolve(performance.now() - started);
          }
        };
        video.addEventListener('timeupdate', check);
        video.currentTime = target;
      }),
    seconds,
  );
}

export async function waitForPlayback(page: Page, beyond: number, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    (t) => {
      const video = (globalThis as unknown as PageWindow).document.querySelector('video');
      return video !== null && !video.paused && video.currentTime > t;
    },
    beyond,
    { timeout },
  );
}
