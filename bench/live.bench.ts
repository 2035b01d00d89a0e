/**
 * Live streaming (issue 12 §4), side by side in one run:
 * - the reference first, on a quiet machine: ffmpeg's HLS output of the same test pattern over plain
 *   loopback HTTP, played by hls.js in Chromium, at hls.js's default live position (3 segments back)
 *   and at ours (2 s back);
 * - then the tree: a source going live on the test pattern (1 s chunks), 2 level-1 and 10 level-2
 *   node processes, and 20 viewers joining 10 s into the stream: 19 headless viewers (the player's
 *   model, watchLive, a process each) one every half second, spread over the level-2 nodes, then
 *   Chromium playing through level-2 node 0's player for LIVE_BENCH_MINUTES (default 30).
 *   Capture-to-display latency in Chromium (each presented frame's wall clock less its chunk's
 *   capture time), stalls, the source's egress against the stream's bytes, and drift: how far the
 *   Chromium viewer's latency wanders from where it settled.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { setTimeout as sleep } from 'node:timers/promises';
import { LIVE_TARGET_SECONDS, secondsBehindLive } from '../core/shared/live-edge.js';
import { CHROMIUM_ARGS, chromiumPath } from '../test/helpers/chromium.js';
import { median, percentile, type BenchRow, type BenchSuite } from './harness.js';
import { drainFrames, sampleFrames, type FrameSample } from './frame-sampler.js';
import { drainHlsLatency, startHlsReference } from './hls-reference.js';
import {
  STREAM,
  bytesServed,
  headlessViewer,
  manifestOf,
  startLiveTree,
  stopStream,
  type HeadlessViewer,
  type LiveTree,
} from './live-tree.js';
import type { WatchedMessage } from './live-viewer-child.js';

const SIZE = { width: 640, height: 360, fps: 30 };
const MINUTES = Number(process.env.LIVE_BENCH_MINUTES ?? 30);
const REFERENCE_SECONDS = Number(process.env.LIVE_BENCH_REFERENCE_SECONDS ?? 90);
const LEVEL_ONE = 2;
const LEVEL_TWO = 10;
const VIEWERS = 20;
const STALL_MINUTES = 10;
const SAMPLE_EVERY_MS = 250;
const DRAIN_EVERY_MS = 5_000;
/** Latency settles once the player has joined and caught up; drift is measured from then. */
const SETTLE_MS = 60_000;
/**
 * Viewers join a stream under way, as at a meeting people open it after it starts: in its first
 * seconds the tree is still cold (each node fetches the manifest once).
 */
const WARM_UP_MS = 10_000;
/**
 * Between two headless viewers' starts: 19 Node processes loading at once keep both cores busy for
 * seconds, and the Chromium viewer joining then would start late and keep that extra second.
 */
const VIEWER_STAGGER_MS = 500;

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

export const suite: BenchSuite = {
  name: 'live',
  async run(): Promise<BenchRow[]> {
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const reference = [await hlsLatency(browser, null), await hlsLatency(browser, LIVE_TARGET_SECONDS)];
      return await treeRun(browser, reference);
    } finally {
      await browser.close();
    }
  },
};

interface ReferenceRun {
  label: string;
  latencies: number[];
  errors: string[];
}

async function hlsLatency(browser: Browser, syncSeconds: number | null): Promise<ReferenceRun> {
  const reference = await startHlsReference(SIZE, syncSeconds);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // ffmpeg needs a few segments out before a player can start at 3 back.
    await sleep(4_000);
    await page.goto(reference.url);
    const latencies: number[] = [];
    const errors: string[] = [];
    const end = Date.now() + REFERENCE_SECONDS * 1000;
    while (Date.now() < end) {
      await sleep(DRAIN_EVERY_MS);
      const drained = await drainHlsLatency(page);
      latencies.push(...drained.latencies);
      errors.splice(0, errors.length, ...drained.errors);
    }
    const label = syncSeconds === null ? 'hls.js default (3 segments back)' : `hls.js ${syncSeconds} s back`;
    return { label, latencies, errors };
  } finally {
    await context.close();
    await reference.close();
  }
}

async function treeRun(browser: Browser, reference: ReferenceRun[]): Promise<BenchRow[]> {
  const tree = await startLiveTree({
    levelOne: LEVEL_ONE,
    levelTwo: LEVEL_TWO,
    input: `testsrc:${SIZE.width}x${SIZE.height}@${SIZE.fps}`,
    playerNodeFlags: ['--ui'],
  });
  const viewers: HeadlessViewer[] = [];
  try {
    await sleep(WARM_UP_MS);
    // Chromium is viewer 0 on level-2 node 0; the rest go round the level-2 nodes from node 1.
    for (let viewer = 1; viewer < VIEWERS; viewer++) {
      viewers.push(headlessViewer(tree.levelTwo[viewer % LEVEL_TWO]!));
      await sleep(VIEWER_STAGGER_MS);
    }
    await Promise.all(viewers.map((viewer) => viewer.playing));
    const chromiumRun = await watchInChromium(browser, tree);
    for (const viewer of viewers) viewer.leave();
    const watched = await Promise.all(viewers.map((viewer) => viewer.watched));
    await stopStream(tree);
    return await report(tree, chromiumRun, watched, reference);
  } finally {
    for (const viewer of viewers) viewer.leave();
    await tree.swarm.stop();
  }
}

interface ChromiumRun {
  samples: FrameSample[];
  firstFrameAt: number;
  stalls: { count: number; totalMs: number };
}

async function watchInChromium(browser: Browser, tree: LiveTree): Promise<ChromiumRun> {
  if (tree.playerUrl === null) throw new Error('level-2 node 0 printed no player URL (--ui)');
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const page = await context.newPage();
    const base = tree.playerUrl.replace(/#.*$/, '');
    await page.goto(`${base}#/watch/${encodeURIComponent(STREAM)}`);
    const samples: FrameSample[] = [];
    const started = Date.now();
    const end = started + MINUTES * 60_000;
    while (Date.now() < end) {
      await sampleFrames(page, SAMPLE_EVERY_MS);
      await sleep(DRAIN_EVERY_MS);
      samples.push(...(await drainFrames(page)));
    }
    const stalls = await playerStalls(page);
    return { samples, firstFrameAt: samples[0]?.shownAt ?? Number.NaN, stalls };
  } finally {
    await context.close();
  }
}

function playerStalls(page: Page): Promise<{ count: number; totalMs: number }> {
  return page.evaluate(() => {
    const debug = (
      globalThis as unknown as { __peerstreamer: { stalls: { count: number; totalMs: number } } }
    ).__peerstreamer;
    return { count: debug.stalls.count, totalMs: debug.stalls.totalMs };
  });
}

async function report(
  tree: LiveTree,
  chromiumRun: ChromiumRun,
  watched: WatchedMessage[],
  reference: ReferenceRun[],
): Promise<BenchRow[]> {
  const manifest = await manifestOf(tree.source);
  const behind = chromiumRun.samples
    .map((sample) => ({
      at: sample.shownAt,
      behind: secondsBehindLive(manifest.chunks, sample.mediaTime, sample.shownAt),
    }))
    .filter((sample): sample is { at: number; behind: number } => sample.behind !== null);
  const latencies = behind.map((sample) => sample.behind);
  const headless = watched.flatMap((result) =>
    result.shown.flatMap((shown) => (shown.behindSeconds === null ? [] : [shown.behindSeconds])),
  );
  const streamBytes = manifest.init.size + manifest.chunks.reduce((sum, chunk) => sum + chunk.size, 0);
  const egress = (await bytesServed(tree.source)) / streamBytes;
  const stallWindowEnd = chromiumRun.firstFrameAt + STALL_MINUTES * 60_000;
  const headlessStalls = watched.flatMap((result) => result.shown.filter((shown) => shown.stallMs > 0));
  const loopP99 = Math.max(...watched.map((result) => result.loopP99Ms));
  const loopMax = Math.max(...watched.map((result) => result.loopMaxMs));
  const earlyStalls = headlessStalls.filter((shown) => shown.shownAt <= stallWindowEnd).length;
  const drift = driftOf(behind);
  const referenceDetail = reference
    .map(
      (run) =>
        `${run.label}: p50 ${round(percentile(run.latencies, 50))} s, p95 ${round(percentile(run.latencies, 95))} s (${run.latencies.length} frames${run.errors.length ? `, errors ${run.errors.join(' ')}` : ''})`,
    )
    .join('; ');
  const p50 = percentile(latencies, 50);
  const p95 = percentile(latencies, 95);
  const rows: BenchRow[] = [
    {
      suite: 'live',
      what: 'capture-to-display, level-2 viewer in Chromium, p50',
      value: round(p50),
      unit: 's',
      target: '<= 3 s',
      pass: p50 <= 3,
      detail: `p95 ${round(p95)} s over ${latencies.length} frames in ${MINUTES} min; ${referenceDetail}; ratio to hls.js default p50 ${round(p50 / percentile(reference[0]!.latencies, 50))}`,
    },
    {
      suite: 'live',
      what: 'capture-to-display, level-2 viewer in Chromium, p95',
      value: round(p95),
      unit: 's',
      target: '<= 4 s',
      pass: p95 <= 4,
    },
    {
      suite: 'live',
      what: `capture-to-display, ${watched.length} headless viewers (player model), p50`,
      value: round(percentile(headless, 50)),
      unit: 's',
      target: '(reference)',
      pass: true,
      detail: `p95 ${round(percentile(headless, 95))} s over ${headless.length} chunks`,
    },
    {
      suite: 'live',
      what: `stalls, ${VIEWERS} viewers over ${LEVEL_ONE} level-1 + ${LEVEL_TWO} level-2 nodes, first ${STALL_MINUTES} min`,
      value:
        earlyStalls +
        (chromiumRun.stalls.count > 0 && MINUTES <= STALL_MINUTES ? chromiumRun.stalls.count : 0),
      unit: 'stalls',
      target: '0',
      pass: earlyStalls === 0 && (MINUTES > STALL_MINUTES || chromiumRun.stalls.count === 0),
      detail: `whole ${MINUTES} min: headless ${headlessStalls.length} (longest ${Math.round(Math.max(0, ...headlessStalls.map((s) => s.stallMs)))} ms; chunk@s:ms ${stallList(headlessStalls, chromiumRun.firstFrameAt)}), Chromium ${chromiumRun.stalls.count} (${Math.round(chromiumRun.stalls.totalMs)} ms); the headless viewers' own event-loop delay, worst p99 ${Math.round(loopP99)} ms, worst max ${Math.round(loopMax)} ms`,
    },
    {
      suite: 'live',
      what: 'source egress / stream bytes',
      value: round(egress),
      unit: 'x',
      target: `<= ${LEVEL_ONE + 1} (children + 1)`,
      pass: egress <= LEVEL_ONE + 1,
      detail: `${(streamBytes / 1e6).toFixed(1)} MB streamed, ${manifest.chunks.length} chunks`,
    },
    {
      suite: 'live',
      what: `latency drift over ${MINUTES} min (Chromium viewer)`,
      value: round(drift.worst),
      unit: 's',
      target: '<= 1 s',
      pass: drift.worst <= 1,
      detail: `minute medians from ${round(drift.first)} s (settled) to ${round(drift.last)} s at the end`,
    },
  ];
  return rows;
}

/** The first stalls as chunk@seconds-into-the-run:ms, to tell one hiccup every viewer saw from many. */
function stallList(stalls: Array<{ index: number; shownAt: number; stallMs: number }>, from: number): string {
  return stalls
    .slice(0, 12)
    .map((s) => `${s.index}@${Math.round((s.shownAt - from) / 1000)}:${Math.round(s.stallMs)}`)
    .join(' ');
}

/**
 * How far the per-minute median latency strays from the first settled minute's: 0 for a player
 * that holds its place behind live for the whole run.
 */
function driftOf(behind: Array<{ at: number; behind: number }>): {
  first: number;
  last: number;
  worst: number;
} {
  const start = (behind[0]?.at ?? 0) + SETTLE_MS;
  const minutes = new Map<number, number[]>();
  for (const sample of behind) {
    if (sample.at < start) continue;
    const minute = Math.floor((sample.at - start) / 60_000);
    const values = minutes.get(minute) ?? [];
    values.push(sample.behind);
    minutes.set(minute, values);
  }
  const medians = [...minutes.entries()].sort(([a], [b]) => a - b).map(([, values]) => median(values));
  const first = medians[0] ?? Number.NaN;
  const last = medians.at(-1) ?? Number.NaN;
  const worst = Math.max(0, ...medians.map((value) => Math.abs(value - first)));
  return { first, last, worst };
}
