import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { ingestVideo } from '../core/library/ingest.js';
import { nodeConfigFromFlags } from '../core/node/node-config.js';
import { PeerNode } from '../core/node/peer-node.js';
import { serveNodeUi, type UiServer } from '../core/node/ui-server.js';
import type { MediaManifest } from '../core/shared/manifest.js';
import { ChunkStore } from '../core/store/chunk-store.js';
import { freePort } from '../core/util/free-port.js';
import { silentLogger } from '../core/util/logger.js';
import { CHROMIUM_ARGS, chromiumPath } from '../test/helpers/chromium.js';
import { generateFixture } from '../test/helpers/media-fixtures.js';
import { median, percentile, type BenchRow, type BenchSuite } from './harness.js';

/**
 * The player in headless Chromium as a viewer in a real swarm sees it: a source PeerNode holding the
 * videos and two branches below it, each a level-1 PeerNode and a level-2 PeerNode whose player is
 * served by `serveNodeUi`, all in-process on loopback with real ZeroMQ sockets and stores. Side by
 * side in the same run, the same file as one progressive MP4 from a plain node:http server.
 *
 * - Time to first frame, two viewers, each run in a fresh browser context (empty HTTP cache, no
 *   cookie: the page trades the URL's token for one first, as a viewer's first visit does), timed
 *   from the click on the library card to the first decoded frame (requestVideoFrameCallback):
 *   - library click: the viewer's node warmed the start of every listed video when the library was
 *     shown (library prefetch), and the page warmed its HTTP cache with them from the node; each run
 *     clicks a video it has not played yet, once that is done.
 *   - truly cold: the other branch's viewer runs with --library-prefetch 0, and each run opens a
 *     video nobody in its branch holds (one ingested copy per run under its own name).
 * - Seek latency: seeks far apart in a 30-minute video through the same swarm, to positions nothing
 *   has buffered, timed to the first frame shown at the target while playing.
 * - Memory: the 30-minute video played at 16x, sampling the JS heap (after a forced GC), ArrayBuffer
 *   backing stores and the bytes the SourceBuffer holds.
 */
const TTFF_RUNS = 9;
/** Time to first frame, as a multiple of plain HTTP, each viewer may take. */
const WARM_TARGET = 1.0;
const COLD_TARGET = 1.5;
const TTFF_SECONDS = 20;
const SEEK_POSITIONS = [0.62, 0.18, 0.85, 0.41, 0.93, 0.07, 0.55, 0.3, 0.75, 0.12, 0.68];
const LONG_SECONDS = 30 * 60;
const PLAYBACK_RATE = 16;
/** Wall-clock cap on the memory run: 30 min at 16x is 112.5 s if the swarm keeps up. */
const MEMORY_WALL_MS = 150_000;
const MEMORY_SAMPLE_MS = 3_000;
/**
 * "Flat": the player keeps at most ~30 s behind and ~30 s ahead, so past the first minute nothing
 * should accumulate. 5 MB is far below what any per-chunk leak would add over the ~28 minutes
 * played after minute 1 (about 840 chunks: retaining even 6 KB per chunk exceeds it), yet above
 * the few MB of noise a GC'd heap shows between samples.
 */
const FLAT_BOUND_MB = 5;
const VIEWPORT = { width: 1280, height: 720 };

/** The DOM the page-side callbacks touch; the project type-checks bench/ with Node's lib only. */
interface BenchVideo {
  currentTime: number;
  playbackRate: number;
  seeking: boolean;
  ended: boolean;
  paused: boolean;
  src: string;
  buffered: { length: number; start(i: number): number; end(i: number): number };
  play(): Promise<void>;
  remove(): void;
  requestVideoFrameCallback(callback: (now: number, frame: { mediaTime: number }) => void): number;
}
interface BenchWindow {
  document: {
    querySelector(selector: 'video'): BenchVideo | null;
    querySelector(selector: string): { click(): void } | null;
    createElement(tag: 'video'): BenchVideo;
    body: { appendChild(node: BenchVideo): void };
  };
  location: { hash: string };
  __peerstreamer: { video: string | null; firstFrameAt: number | null; firstFrameMs: number | null };
}
interface MarkEntry {
  name: string;
  startTime: number;
}
interface ResourceEntry {
  name: string;
  fetchStart: number;
  requestStart: number;
  responseStart: number;
  responseEnd: number;
}
declare const performance: {
  now(): number;
  getEntriesByType(type: 'mark'): MarkEntry[];
  getEntriesByType(type: 'resource'): ResourceEntry[];
};

export const suite: BenchSuite = {
  name: 'player',
  async run(): Promise<BenchRow[]> {
    const short = await shortClip();
    const long = await longClip();
    const runNames = (prefix: string): string[] =>
      Array.from({ length: TTFF_RUNS + 1 }, (_, run) => `${prefix}-${run}`);
    const warmNames = runNames('warm');
    const coldNames = runNames('cold');
    const swarm = await startSwarm([
      ...[...warmNames, ...coldNames].map((name) => ({ name, file: short })),
      { name: 'long', file: long },
    ]);
    const plain = await servePlainMp4(short);
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const ttff = await timeToFirstFrame(browser, swarm, warmNames, coldNames, plain.url);
      const warmRatio = ttff.warm.total / ttff.http;
      const coldRatio = ttff.cold.total / ttff.http;
      const side = `plain HTTP MP4 ${ttff.http.toFixed(0)} ms in the same rounds; median of ${TTFF_RUNS}, fresh context each`;
      const ttffRows: BenchRow[] = [
        {
          suite: 'player',
          what: 'time to first frame, library click, start prefetched (click -> first frame)',
          value: ttff.warm.total,
          unit: 'ms',
          target: `<= ${WARM_TARGET.toFixed(1)}x plain HTTP`,
          pass: warmRatio <= WARM_TARGET,
          detail: `ratio ${warmRatio.toFixed(2)} (median of per-round ratios ${ttff.warm.roundRatio.toFixed(2)}); ${side}; ${ttff.warm.phases}`,
        },
        {
          suite: 'player',
          what: 'time to first frame, truly cold level-2 viewer, 3-node branch (click -> first frame)',
          value: ttff.cold.total,
          unit: 'ms',
          target: `<= ${COLD_TARGET.toFixed(1)}x plain HTTP and < 500 ms`,
          pass: coldRatio <= COLD_TARGET && ttff.cold.total < 500,
          detail: `ratio ${coldRatio.toFixed(2)} (median of per-round ratios ${ttff.cold.roundRatio.toFixed(2)}); ${side}; ${ttff.cold.phases}`,
        },
        {
          suite: 'player',
          what: 'time to first frame, plain HTTP progressive MP4',
          value: ttff.http,
          unit: 'ms',
          target: 'reference',
          pass: true,
          detail: `<video src> from node:http, same file; median of ${TTFF_RUNS}, fresh context each`,
        },
        {
          suite: 'player',
          what: "time to first frame from player mount (the feed's share), prefetched / cold",
          value: ttff.warm.fromMount,
          unit: 'ms',
          target: 'reference',
          pass: true,
          detail: `prefetched ${ttff.warm.fromMount.toFixed(0)} ms (ratio to HTTP ${(ttff.warm.fromMount / ttff.http).toFixed(2)}), cold ${ttff.cold.fromMount.toFixed(0)} ms (${(ttff.cold.fromMount / ttff.http).toFixed(2)}): MediaSource, init, first chunk, decode`,
        },
      ];
      // PEERSTREAMER_BENCH_TTFF_ONLY=1 stops here: the start-up rows alone, to iterate on them quickly.
      if (process.env.PEERSTREAMER_BENCH_TTFF_ONLY === '1') return ttffRows;
      const seeks = await seekLatencies(browser, swarm.warm.ui.url, swarm.manifests.get('long')!);
      const memory = await memoryOverLongPlay(browser, swarm.warm.ui.url, swarm.manifests.get('long')!);
      return [
        ...ttffRows,
        {
          suite: 'player',
          what: 'seek latency (seek -> playing at target), swarm, unbuffered target',
          value: median(seeks),
          unit: 'ms',
          target: '< 300 ms median',
          pass: median(seeks) < 300,
          detail: `p90 ${percentile(seeks, 90).toFixed(0)} ms; ${seeks.length} seeks in a ${LONG_SECONDS / 60}-min video via level 2`,
        },
        {
          suite: 'player',
          what: 'renderer memory growth after the first minute (JS heap + ArrayBuffers + SourceBuffer)',
          value: memory.growthMb,
          unit: 'MB',
          target: `flat: < ${FLAT_BOUND_MB} MB`,
          pass: memory.growthMb < FLAT_BOUND_MB && memory.endMediaSeconds >= 10 * 60,
          detail: memory.detail,
        },
        {
          suite: 'player',
          what: 'media buffered at most during the long play',
          value: memory.maxBufferedSeconds,
          unit: 's',
          target: '<= 75 s (30 ahead + 30 behind + slack)',
          pass: memory.maxBufferedSeconds <= 75,
          detail: `${memory.samples} samples every ${MEMORY_SAMPLE_MS / 1000} s`,
        },
      ];
    } finally {
      await browser.close();
      await plain.close();
      await swarm.close();
    }
  },
};

/** 20 s of 640x360 H.264/AAC with 2 s GOPs, a faststart MP4: the HTTP baseline plays it as is. */
function shortClip(): Promise<string> {
  return generateFixture('bench-ttff-360p', 'mp4', [
    ...['-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=25:duration=${TTFF_SECONDS}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${TTFF_SECONDS}`],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p'],
    ...['-g', '50', '-keyint_min', '50', '-sc_threshold', '0'],
    ...['-c:a', 'aac', '-b:a', '64k', '-ac', '2', '-shortest', '-movflags', '+faststart', '{out}'],
  ]);
}

/** 30 minutes at 320x180, 12 fps, encoded as fast as x264 goes: made once, then cached. */
function longClip(): Promise<string> {
  return generateFixture('bench-30min-180p', 'mp4', [
    ...['-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=12:duration=${LONG_SECONDS}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${LONG_SECONDS}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...['-g', '24', '-keyint_min', '24', '-sc_threshold', '0'],
    ...['-c:a', 'aac', '-b:a', '32k', '-ac', '1', '-shortest', '-movflags', '+faststart', '{out}'],
  ]);
}

interface BenchViewer {
  node: PeerNode;
  ui: UiServer;
  /** Its master, between it and the source. */
  level1: PeerNode;
}

interface BenchSwarm {
  /** Every node, for waiting until all are quiet. */
  nodes: PeerNode[];
  /** Level 2 of branch A, library prefetch on (the default). */
  warm: BenchViewer;
  /** Level 2 of branch B, library prefetch off: nothing in its branch is ever warmed ahead. */
  cold: BenchViewer;
  manifests: Map<string, MediaManifest>;
  close(): Promise<void>;
}

/**
 * Source (holding every video) <- level 1 <- level 2, twice, in this process. Two branches, because
 * the warm viewer's library prefetch makes its level-1 node hold the start of every video; the cold
 * viewer's level-1 node must not.
 */
async function startSwarm(videos: Array<{ name: string; file: string }>): Promise<BenchSwarm> {
  const root = await mkdtemp(path.join(tmpdir(), 'ps-bench-player-'));
  const manifests = new Map<string, MediaManifest>();
  // Ingest before the source starts: a store has one owner at a time.
  const store = await ChunkStore.open(path.join(root, 'source'));
  try {
    for (const video of videos)
      manifests.set(video.name, await ingestVideo(store, video.file, { name: video.name }));
  } finally {
    store.close();
  }
  const nodes: PeerNode[] = [];
  const uis: UiServer[] = [];
  const start = async (
    name: string,
    master?: PeerNode,
    flags: Record<string, string> = {},
  ): Promise<PeerNode> => {
    const port = await freePort();
    const node = await PeerNode.start(
      nodeConfigFromFlags({
        name,
        port: String(port),
        ip: '127.0.0.1',
        bind: '127.0.0.1',
        store: path.join(root, name),
        ...(master !== undefined ? { master: master.address } : {}),
        ...flags,
      }),
      { logger: silentLogger() },
    );
    nodes.push(node);
    if (node.link !== null && (await node.link.waitForMaster(15_000)) === null)
      throw new Error(`${name} did not register with ${master?.address} within 15 s`);
    return node;
  };
  const viewer = async (
    name: string,
    level1: PeerNode,
    flags: Record<string, string> = {},
  ): Promise<BenchViewer> => {
    const node = await start(name, level1, flags);
    const ui = await serveNodeUi(node, { host: '127.0.0.1', port: 0 });
    uis.push(ui);
    return { node, ui, level1 };
  };
  const close = async (): Promise<void> => {
    for (const ui of uis) await ui.close();
    for (const node of nodes.reverse()) await node.stop();
    await rm(root, { recursive: true, force: true });
  };
  try {
    const source = await start('source');
    const warm = await viewer('viewer-a', await start('level1-a', source));
    const cold = await viewer('viewer-b', await start('level1-b', source), { 'library-prefetch': '0' });
    return { nodes, warm, cold, manifests, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A fresh context (no cache, no cookie) on the viewer's player, past the token exchange, at the library. */
async function openPlayer(browser: Browser, uiUrl: string, card?: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  await page.goto(uiUrl);
  await page
    .locator(card === undefined ? '[data-testid=library]' : `[data-testid=video-card][data-name="${card}"]`)
    .waitFor({ timeout: 15_000 });
  return context;
}

const PHASES: Array<[string, string]> = [
  ['open', 'view opened'],
  ['init-sent', 'init request sent'],
  ['init-first-byte', 'init first byte'],
  ['chunk0-sent', 'chunk 0 request sent'],
  ['chunk0-first-byte', 'chunk 0 first byte'],
  ['chunk0-done', 'chunk 0 received'],
  ['player-mount', 'player mount'],
  ['manifest-done', 'manifest'],
  ['sourceopen', 'sourceopen'],
  ['init-fetched', 'init fetched'],
  ['init-appended', 'init appended'],
  ['first-chunk-fetched', 'chunk fetched'],
  ['first-chunk-appended', 'chunk appended'],
  ['first-frame', 'frame'],
  ['controls-ready', 'video.js controls'],
];

interface ClickResult {
  total: number;
  mount: number;
  marks: MarkEntry[];
}

/** Clicks the library card of `video` and resolves at its first frame, with the renderer's phase marks. */
async function clickToFirstFrame(page: Page, video: string): Promise<ClickResult> {
  return page.evaluate(
    (name) =>
      new Promise<ClickResult>((resolve, reject) => {
        const win = globalThis as unknown as BenchWindow;
        const link = win.document.querySelector(`[data-testid=video-card][data-name="${name}"] a`);
        if (link === null) return reject(new Error(`no library card for ${name}`));
        const timeout = setTimeout(() => reject(new Error(`${name}: no first frame in 10 s`)), 10_000);
        const started = performance.now();
        link.click();
        const poll = setInterval(() => {
          const debug = win.__peerstreamer;
          if (debug.video === name && debug.firstFrameAt !== null) {
            clearTimeout(timeout);
            clearInterval(poll);
            resolve({
              total: debug.firstFrameAt - started,
              mount: debug.firstFrameMs!,
              marks: [
                ...performance
                  .getEntriesByType('mark')
                  .filter((mark) => mark.name.startsWith('ps:'))
                  .map((mark) => ({ name: mark.name.slice(3), startTime: mark.startTime - started })),
                // Where the requests for the start spent their time: sent, first byte, last byte.
                ...performance
                  .getEntriesByType('resource')
                  .filter((entry) => entry.fetchStart >= started)
                  .flatMap((entry) => {
                    const what = /\/(init|chunks\/0|manifest)$/.exec(new URL(entry.name).pathname)?.[1];
                    if (what === undefined) return [];
                    const label = what === 'chunks/0' ? 'chunk0' : what;
                    return [
                      { name: `${label}-sent`, startTime: entry.requestStart - started },
                      { name: `${label}-first-byte`, startTime: entry.responseStart - started },
                      { name: `${label}-done`, startTime: entry.responseEnd - started },
                    ];
                  }),
              ],
            });
          }
        }, 2);
      }),
    video,
  );
}

/** Resolves once `check` holds; the bench's own nodes are in-process, so their state is read directly. */
async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Resolves once no node has moved a byte for a while: the read-ahead a click set off (which runs on
 * after the page is closed) must not share this machine's two cores with the next click. A real
 * viewer's node is not busy with another viewer's stream.
 */
async function quiet(nodes: PeerNode[], stableMs = 250): Promise<void> {
  const activity = (): number =>
    nodes.reduce((sum, node) => {
      const stats = node.stats();
      const fetched = Object.values(stats.bytesFetched).reduce((a, b) => a + b, 0);
      return sum + fetched + stats.bytesServed + stats.bytesHeld + stats.libraryPrefetch.inFlight;
    }, 0);
  let last = activity();
  let since = Date.now();
  const deadline = Date.now() + 30_000;
  while (Date.now() - since < stableMs) {
    if (Date.now() > deadline) throw new Error('the swarm did not go quiet within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = activity();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}

/** Medians of each viewer's runs: totals, from mount, per-round ratios to HTTP, and phases. */
class ViewerSamples {
  private readonly totals: number[] = [];
  private readonly mounts: number[] = [];
  private readonly ratios: number[] = [];
  private readonly marks = new Map<string, number[]>();

  add(result: ClickResult, http: number): void {
    this.totals.push(result.total);
    this.mounts.push(result.mount);
    this.ratios.push(result.total / http);
    for (const mark of result.marks)
      this.marks.set(mark.name, [...(this.marks.get(mark.name) ?? []), mark.startTime]);
  }

  summary(): { total: number; fromMount: number; roundRatio: number; phases: string } {
    const phases = PHASES.filter(([mark]) => this.marks.has(mark))
      .map(([mark, label]) => `${label} ${median(this.marks.get(mark)!).toFixed(0)}`)
      .join(', ');
    return {
      total: median(this.totals),
      fromMount: median(this.mounts),
      roundRatio: median(this.ratios),
      phases: `phases (median ms after click): ${phases}`,
    };
  }
}

/**
 * Rounds of three, side by side: a library click on the warm viewer (once its library prefetch has
 * warmed that video's start), a click on the cold viewer, then plain HTTP, each in its own context.
 * Round 0 is a discarded warm-up (the browser's first media pipeline and JIT).
 */
async function timeToFirstFrame(
  browser: Browser,
  swarm: BenchSwarm,
  warmNames: string[],
  coldNames: string[],
  plainUrl: string,
): Promise<{
  warm: ReturnType<ViewerSamples['summary']>;
  cold: ReturnType<ViewerSamples['summary']>;
  http: number;
}> {
  const warm = new ViewerSamples();
  const cold = new ViewerSamples();
  const http: number[] = [];
  const prefetched = (name: string) => (): boolean => {
    const stats = swarm.warm.node.stats().libraryPrefetch;
    return (
      stats.inFlight === 0 &&
      swarm.warm.node.store.hasChunk(name, -1) &&
      swarm.warm.node.store.hasChunk(name, 0)
    );
  };
  for (const [round, warmName] of warmNames.entries()) {
    const coldName = coldNames[round]!;
    const warmContext = await openPlayer(browser, swarm.warm.ui.url, warmName);
    await until(`the library prefetch warmed ${warmName}`, prefetched(warmName));
    // And the page warmed its HTTP cache with them, from the node's store.
    await warmContext
      .pages()[0]!
      .waitForFunction(
        (name) =>
          performance
            .getEntriesByType('resource')
            .some((entry) => entry.name.endsWith(`/api/videos/${name}/chunks/0`) && entry.responseEnd > 0),
        warmName,
        { timeout: 15_000 },
      );
    await quiet(swarm.nodes);
    const warmResult = await clickToFirstFrame(warmContext.pages()[0]!, warmName);
    await warmContext.close();
    const coldContext = await openPlayer(browser, swarm.cold.ui.url, coldName);
    if (swarm.cold.node.store.hasChunk(coldName, 0) || swarm.cold.level1.store.hasChunk(coldName, 0))
      throw new Error(`${coldName} is not cold: its branch holds chunk 0`);
    await quiet(swarm.nodes);
    const coldResult = await clickToFirstFrame(coldContext.pages()[0]!, coldName);
    await coldContext.close();
    await quiet(swarm.nodes);
    const plain = await plainFirstFrame(browser, plainUrl);
    if (round === 0) continue;
    warm.add(warmResult, plain);
    cold.add(coldResult, plain);
    http.push(plain);
    process.stderr.write(
      `  ttff round ${round}: prefetched ${warmResult.total.toFixed(0)} ms (mount ${warmResult.mount.toFixed(0)}), cold ${coldResult.total.toFixed(0)} ms (mount ${coldResult.mount.toFixed(0)}), http ${plain.toFixed(0)} ms\n`,
    );
  }
  const result = { warm: warm.summary(), cold: cold.summary(), http: median(http) };
  process.stderr.write(`  prefetched ${result.warm.phases}\n  cold ${result.cold.phases}\n`);
  return result;
}

async function plainFirstFrame(browser: Browser, plainUrl: string): Promise<number> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.goto(`${plainUrl}page`);
    return await page.evaluate(
      (src) =>
        new Promise<number>((resolve, reject) => {
          const { document } = globalThis as unknown as BenchWindow;
          const video = document.createElement('video');
          document.body.appendChild(video);
          const timeout = setTimeout(() => reject(new Error('no first frame in 10 s')), 10_000);
          const started = performance.now();
          video.requestVideoFrameCallback(() => {
            clearTimeout(timeout);
            resolve(performance.now() - started);
          });
          video.src = src;
          void video.play();
        }),
      `${plainUrl}video.mp4`,
    );
  } finally {
    await context.close();
  }
}

async function startLong(page: Page): Promise<void> {
  await page.evaluate(() => {
    (globalThis as unknown as BenchWindow).location.hash = '#/watch/long?t=0.001';
  });
  await page.waitForFunction(() => {
    const video = (globalThis as unknown as BenchWindow).document.querySelector('video');
    return video !== null && !video.paused && video.currentTime > 0.3;
  });
}

/** Seeks far enough apart that the target is never already buffered; timed to a frame shown there. */
async function seekLatencies(browser: Browser, uiUrl: string, manifest: MediaManifest): Promise<number[]> {
  const context = await openPlayer(browser, uiUrl, 'long');
  const page = context.pages()[0]!;
  try {
    await startLong(page);
    const samples: number[] = [];
    for (const fraction of SEEK_POSITIONS) {
      samples.push(
        await page.evaluate(
          (target) =>
            new Promise<number>((resolve, reject) => {
              const video = (globalThis as unknown as BenchWindow).document.querySelector('video')!;
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
          manifest.duration * fraction,
        ),
      );
      // Let the read-ahead settle, as a viewer watching for a moment would.
      await page.waitForTimeout(400);
    }
    return samples;
  } finally {
    await context.close();
  }
}

interface MemorySample {
  media: number;
  heapMb: number;
  arrayBuffersMb: number;
  sourceBufferMb: number;
  bufferedSeconds: number;
}

/** What the SourceBuffer holds, from the buffered ranges and the manifest's chunk sizes. */
function sourceBufferBytes(manifest: MediaManifest, ranges: Array<[number, number]>): number {
  let bytes = 0;
  for (const chunk of manifest.chunks) {
    const start = chunk.start ?? 0;
    const end = start + (chunk.duration ?? 0);
    const overlap = ranges.reduce(
      (sum, [from, to]) => sum + Math.max(0, Math.min(end, to) - Math.max(start, from)),
      0,
    );
    if (overlap > 0 && end > start) bytes += (chunk.size * overlap) / (end - start);
  }
  return bytes;
}

async function sample(
  page: Page,
  cdp: CDPSession,
  manifest: MediaManifest,
): Promise<MemorySample & { ended: boolean }> {
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
  const state = await page.evaluate(() => {
    const video = (globalThis as unknown as BenchWindow).document.querySelector('video')!;
    const ranges: Array<[number, number]> = [];
    for (let i = 0; i < video.buffered.length; i++)
      ranges.push([video.buffered.start(i), video.buffered.end(i)]);
    return { media: video.currentTime, ended: video.ended, ranges };
  });
  const mb = (bytes: number): number => bytes / 1024 / 1024;
  return {
    media: state.media,
    ended: state.ended,
    heapMb: mb(usage.usedSize),
    arrayBuffersMb: mb(usage.backingStorageSize ?? 0),
    sourceBufferMb: mb(sourceBufferBytes(manifest, state.ranges)),
    bufferedSeconds: state.ranges.reduce((sum, [start, end]) => sum + (end - start), 0),
  };
}

const total = (s: MemorySample): number => s.heapMb + s.arrayBuffersMb + s.sourceBufferMb;

/** Plays the 30-minute video from the start at 16x through the swarm, sampling every few seconds. */
async function memoryOverLongPlay(
  browser: Browser,
  uiUrl: string,
  manifest: MediaManifest,
): Promise<{
  growthMb: number;
  maxBufferedSeconds: number;
  endMediaSeconds: number;
  samples: number;
  detail: string;
}> {
  const context = await openPlayer(browser, uiUrl, 'long');
  const page = context.pages()[0]!;
  try {
    await startLong(page);
    const cdp = await context.newCDPSession(page);
    await page.evaluate((rate) => {
      (globalThis as unknown as BenchWindow).document.querySelector('video')!.playbackRate = rate;
    }, PLAYBACK_RATE);
    const samples: MemorySample[] = [];
    const deadline = Date.now() + MEMORY_WALL_MS;
    for (;;) {
      await page.waitForTimeout(MEMORY_SAMPLE_MS);
      const next = await sample(page, cdp, manifest);
      samples.push(next);
      if (next.ended || Date.now() > deadline) break;
    }
    await cdp.detach();
    const atMinute = samples.find((s) => s.media >= 60) ?? samples[0]!;
    const after = samples.slice(samples.indexOf(atMinute));
    const last = samples.at(-1)!;
    // Growth to the highest point after minute 1, not just to the end, so a leak the last GC
    // happened to hide still counts.
    const growthMb = Math.max(...after.map(total)) - total(atMinute);
    const describe = (s: MemorySample): string =>
      `${total(s).toFixed(1)} MB (heap ${s.heapMb.toFixed(1)} + ArrayBuffers ${s.arrayBuffersMb.toFixed(1)} + SourceBuffer ${s.sourceBufferMb.toFixed(1)})`;
    return {
      growthMb,
      maxBufferedSeconds: Math.max(...samples.map((s) => s.bufferedSeconds)),
      endMediaSeconds: last.media,
      samples: samples.length,
      detail: `${describe(atMinute)} at ${fmt(atMinute.media)} -> ${describe(last)} at ${fmt(last.media)} of ${fmt(manifest.duration)}; x${PLAYBACK_RATE}, GC before each sample`,
    };
  } finally {
    await context.close();
  }
}

function fmt(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;
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
