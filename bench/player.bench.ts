import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { startSourceNode, type SourceNode } from '../test/gateway/fixtures/source-node.js';
import { launchChromium, type LaunchedBrowser } from '../test/helpers/chromium.js';
import { buildRenderer } from '../test/renderer/build-renderer.js';
import { median, percentile, type BenchRow, type BenchSuite } from './harness.js';
import type { PageWindow } from '../test/renderer/page-types.js';

/**
 * The player in headless Chromium against a real gateway over a real store, side by side with the
 * same video as one progressive MP4 from a plain Node HTTP server: time to first frame (cold cache),
 * seek latency to unbuffered positions, and renderer memory over a long video played fast.
 */
const TTFF_RUNS = 7;
const SEEK_POSITIONS = [0.62, 0.18, 0.85, 0.41, 0.93, 0.07, 0.55, 0.3, 0.75, 0.12, 0.68];
const LONG_SECONDS = 300;
const PLAYBACK_RATE = 8;

export const suite: BenchSuite = {
  name: 'player',
  async run(): Promise<BenchRow[]> {
    const staticDir = await buildRenderer();
    const node = await startSourceNode({
      videos: [
        { name: 'ttff', seconds: 20 },
        { name: 'long', seconds: LONG_SECONDS, width: 320, height: 180, rate: 15 },
      ],
      staticDir,
    });
    const plain = await servePlainMp4(node.files.get('ttff')!);
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.goto(node.withToken(''));
      const ttff = await timeToFirstFrame(page, browser, node, plain.url);
      const seeks = await seekLatencies(page, node);
      const memory = await memoryOverLongPlay(page, browser);
      const ratio = ttff.gateway / ttff.http;
      const mountRatio = ttff.gatewayFromMount / ttff.http;
      return [
        {
          suite: 'player',
          what: 'time to first frame, cold, gateway, from opening the video',
          value: ttff.gateway,
          unit: 'ms',
          target: '<= 1.5x plain HTTP and < 500 ms',
          pass: ratio <= 1.5 && ttff.gateway < 500,
          detail: `plain HTTP MP4 ${ttff.http.toFixed(0)} ms; ratio ${ratio.toFixed(2)}; median of ${TTFF_RUNS}`,
        },
        {
          suite: 'player',
          what: 'time to first frame, cold, gateway, from player mount',
          value: ttff.gatewayFromMount,
          unit: 'ms',
          target: '<= 1.5x plain HTTP and < 500 ms',
          pass: mountRatio <= 1.5 && ttff.gatewayFromMount < 500,
          detail: `MediaSource + init + chunk 0 only (no route/manifest/UI); ratio ${mountRatio.toFixed(2)}`,
        },
        {
          suite: 'player',
          what: 'time to first frame, cold, plain HTTP MP4',
          value: ttff.http,
          unit: 'ms',
          target: 'reference',
          pass: true,
          detail: `<video src> on a progressive MP4 from node:http; median of ${TTFF_RUNS}`,
        },
        {
          suite: 'player',
          what: 'seek latency (seek -> frame shown), unbuffered target',
          value: median(seeks),
          unit: 'ms',
          target: '< 300 ms median',
          pass: median(seeks) < 300,
          detail: `p90 ${percentile(seeks, 90).toFixed(0)} ms; ${seeks.length} seeks in a ${LONG_SECONDS / 60}-min video`,
        },
        {
          suite: 'player',
          what: 'JS heap growth after the first minute',
          value: memory.heapGrowthMb,
          unit: 'MB',
          target: '<= 2 MB or 10 %',
          pass: memory.heapGrowthMb <= Math.max(2, memory.heapAtMinuteMb * 0.1),
          detail: `heap ${memory.heapAtMinuteMb.toFixed(1)} MB at 1:00 -> ${memory.heapAtEndMb.toFixed(1)} MB at ${memory.endMediaSeconds.toFixed(0)} s (x${PLAYBACK_RATE}, GC before each sample)`,
        },
        {
          suite: 'player',
          what: 'media buffered at most',
          value: memory.maxBufferedSeconds,
          unit: 's',
          target: '<= 75 s (30 ahead + 30 behind + slack)',
          pass: memory.maxBufferedSeconds <= 75,
          detail: `${memory.samples} samples over ${LONG_SECONDS} s of media`,
        },
      ];
    } finally {
      await browser.close();
      await plain.close();
      await node.close();
      await rm(staticDir, { recursive: true, force: true });
    }
  },
};

async function clearCache(page: Page, browser: LaunchedBrowser): Promise<void> {
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  await cdp.detach();
}

/**
 * Alternating runs, each with an empty HTTP cache, so neither side warms the other up; one discarded
 * warm-up run each, so JIT compilation is not counted. The gateway figure is taken two ways: from the
 * route change (what a viewer waits for: React view, manifest, video.js, MediaSource, init, chunk 0)
 * and from the player mounting (the feed's own cost, the closest analogue of setting <video src>).
 */
async function timeToFirstFrame(
  page: Page,
  browser: LaunchedBrowser,
  node: SourceNode,
  plainUrl: string,
): Promise<{ gateway: number; gatewayFromMount: number; http: number }> {
  const gateway: number[] = [];
  const fromMount: number[] = [];
  const http: number[] = [];
  const plainPage = await browser.context.newPage();
  await plainPage.goto(`${plainUrl}page`);
  for (let run = 0; run <= TTFF_RUNS; run++) {
    await page.bringToFront();
    await clearCache(page, browser);
    await page.evaluate(() => {
      (globalThis as unknown as PageWindow).location.hash = '#/';
    });
    await page.locator('[data-testid=library]').waitFor();
    const [total, mount] = await page.evaluate(
      () =>
        new Promise<[number, number]>((resolve, reject) => {
          const win = globalThis as unknown as PageWindow;
          win.__peerstreamer.firstFrameAt = null;
          win.__peerstreamer.video = null;
          const started = performance.now();
          win.location.hash = '#/watch/ttff?t=0.001';
          const timeout = setTimeout(() => reject(new Error('no first frame in 10 s')), 10_000);
          const poll = setInterval(() => {
            const debug = win.__peerstreamer;
            if (debug.video === 'ttff' && debug.firstFrameAt !== null) {
              clearTimeout(timeout);
              clearInterval(poll);
              resolve([debug.firstFrameAt - started, debug.firstFrameMs!]);
            }
          }, 2);
        }),
    );
    await plainPage.bringToFront();
    await clearCache(plainPage, browser);
    const plain = await plainPage.evaluate(
      (src) =>
        new Promise<number>((resolve, reject) => {
          const { document } = globalThis as unknown as PageWindow;
          document.querySelector('video')?.remove();
          const video = document.createElement('video');
          document.body.appendChild(video);
          const timeout = setTimeout(() => reject(new Error('no first frame in 10 s')), 10_000);
          const started = performance.now();
          video.requestVideoFrameCallback(() => {
            clearTimeout(timeout);
            resolve(performance.now() - started);
          });
          video.src = `${src}?run=${Math.random()}`;
          void video.play();
        }),
      `${plainUrl}video.mp4`,
    );
    if (run === 0) continue;
    gateway.push(total);
    fromMount.push(mount);
    http.push(plain);
  }
  await plainPage.close();
  await page.bringToFront();
  return { gateway: median(gateway), gatewayFromMount: median(fromMount), http: median(http) };
}

/** Seeks far enough apart that the target is never already buffered; timed to the first frame shown there. */
async function seekLatencies(page: Page, node: SourceNode): Promise<number[]> {
  const duration = node.manifests.get('long')!.duration;
  await page.evaluate(() => {
    (globalThis as unknown as PageWindow).location.hash = '#/watch/long?t=0.001';
  });
  await page.waitForFunction(() => {
    const video = (globalThis as unknown as PageWindow).document.querySelector('video');
    return video !== null && !video.paused && video.currentTime > 0.3;
  });
  const samples: number[] = [];
  for (const fraction of SEEK_POSITIONS) {
    samples.push(
      await page.evaluate(
        (target) =>
          new Promise<number>((resolve, reject) => {
            const video = (globalThis as unknown as PageWindow).document.querySelector('video')!;
            const timeout = setTimeout(
              () => reject(new Error(`seek to ${target} showed no frame in 10 s`)),
              10_000,
            );
            const started = performance.now();
            const onFrame = (_now: number, frame: { mediaTime: number }): void => {
              if (!video.seeking && frame.mediaTime >= target - 0.5 && frame.mediaTime <= target + 3) {
                clearTimeout(timeout);
                resolve(performance.now() - started);
              } else video.requestVideoFrameCallback(onFrame);
            };
            video.currentTime = target;
            video.requestVideoFrameCallback(onFrame);
          }),
        duration * fraction,
      ),
    );
    // Let the read-ahead settle, as a viewer watching for a moment would.
    await page.waitForTimeout(400);
  }
  return samples;
}

interface MemoryFigures {
  heapAtMinuteMb: number;
  heapAtEndMb: number;
  heapGrowthMb: number;
  maxBufferedSeconds: number;
  endMediaSeconds: number;
  samples: number;
}

/** Plays the long video from the start at 8x, sampling the JS heap (after a GC) and buffered media. */
async function memoryOverLongPlay(page: Page, browser: LaunchedBrowser): Promise<MemoryFigures> {
  const cdp = await browser.context.newCDPSession(page);
  await page.evaluate((rate) => {
    const video = (globalThis as unknown as PageWindow).document.querySelector('video')!;
    video.currentTime = 0;
    video.playbackRate = rate;
    void video.play();
  }, PLAYBACK_RATE);
  const samples: Array<{ media: number; heap: number; buffered: number }> = [];
  const deadline = Date.now() + ((LONG_SECONDS / PLAYBACK_RATE) * 3 + 30) * 1000;
  for (;;) {
    await page.waitForTimeout(2_000);
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const state = await page.evaluate(() => {
      const video = (globalThis as unknown as PageWindow).document.querySelector('video')!;
      const buffered = (globalThis as unknown as PageWindow).__peerstreamer.buffered.reduce(
        (sum: number, [start, end]: [number, number]) => sum + (end - start),
        0,
      );
      return { media: video.currentTime, ended: video.ended, buffered };
    });
    samples.push({ media: state.media, heap: usedSize / 1024 / 1024, buffered: state.buffered });
    if (state.ended || Date.now() > deadline) break;
  }
  await cdp.detach();
  const afterMinute = samples.find((sample) => sample.media >= 60) ?? samples[0]!;
  const last = samples.at(-1)!;
  return {
    heapAtMinuteMb: afterMinute.heap,
    heapAtEndMb: last.heap,
    heapGrowthMb:
      Math.max(0, ...samples.filter((s) => s.media >= afterMinute.media).map((s) => s.heap)) -
      afterMinute.heap,
    maxBufferedSeconds: Math.max(...samples.map((sample) => sample.buffered)),
    endMediaSeconds: last.media,
    samples: samples.length,
  };
}

/** The baseline: a progressive MP4 over plain node:http with Range support, and a blank same-origin page. */
async function servePlainMp4(file: string): Promise<{ url: string; close(): Promise<void> }> {
  const size = statSync(file).size;
  const server: Server = createServer((request, response) => {
    if (request.url === '/page') {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<!doctype html><title>baseline</title><body></body>');
      return;
    }
    if (!request.url?.startsWith('/video.mp4')) {
      response.writeHead(404).end();
      return;
    }
    const range = /bytes=(\d+)-(\d*)/.exec(request.headers.range ?? '');
    if (range === null) {
      response.writeHead(200, {
        'Content-Type': 'video/mp4',
        'Content-Length': size,
        'Accept-Ranges': 'bytes',
      });
      createReadStream(file).pipe(response);
      return;
    }
    const start = Number(range[1]);
    const end = range[2] ? Math.min(size - 1, Number(range[2])) : size - 1;
    response.writeHead(206, {
      'Content-Type': 'video/mp4',
      'Content-Length': end - start + 1,
      'Content-Range': `bytes ${start}-${end}/${size}`,
      'Accept-Ranges': 'bytes',
    });
    createReadStream(file, { start, end }).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
