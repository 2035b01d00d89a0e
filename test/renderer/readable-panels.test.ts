/**
 * The stats and topology panels as a person reads them: text at a readable size whatever the
 * panel's width, a throughput chart of bounded height that draws a real time series, and a tree of
 * twenty nodes that scrolls or folds instead of shrinking its labels. Real gateway, real Chromium.
 */
import { rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../core/gateway/gateway.js';
import { serveGatewayHttp, type ServedGateway } from '../../core/gateway/serve-http.js';
import type { TopologyNode } from '../../core/shared/api-types.js';
import { cutClip } from '../helpers/media-fixtures.js';
import { MemoryBackend } from '../gateway/fixtures/memory-backend.js';
import { launchChromium, type LaunchedBrowser } from '../helpers/chromium.js';
import { buildRenderer } from './build-renderer.js';
import { screenshot, waitForPlayback } from './page-helpers.js';
import type { PageWindow } from './page-types.js';
import { renderedTextSizes } from './text-sizes.js';
import { lacks, requires } from '../helpers/requirements.js';

const noChromium = lacks(requires.chromium);
const noFfmpeg = lacks(requires.ffmpeg);

const token = 'readable-panels-token-0123456789';
const VIDEO = 'clip';
const backend = new MemoryBackend();
let staticDir: string;
let served: ServedGateway;
let browser: LaunchedBrowser;
let page: Page;

function node(name: string, role: TopologyNode['role'], children: TopologyNode[] = []): TopologyNode {
  const held = Array.from({ length: 8 }, (_, i) => i).filter((i) => (i + name.length) % 3 !== 0);
  return {
    name,
    address: `tcp://192.168.10.${10 + name.length}:7${name.length % 10}00`,
    role,
    self: name === 'laptop',
    alive: name !== 'office-4',
    chunks: { [VIDEO]: held },
    children,
  };
}

/** Twenty nodes, three levels below the source: the shape that made labels 7 px in the side panel. */
function twentyNodes(): TopologyNode {
  const leaves = (names: string[]) => names.map((name) => node(name, 'child'));
  return node('source', 'source', [
    node('master-a', 'master', leaves(['laptop', 'desk-pc', 'phone', 'tablet', 'kiosk', 'living-room-tv'])),
    node('master-b', 'master', leaves(['office-1', 'office-2', 'office-3', 'office-4', 'office-5'])),
    node('master-c', 'master', [
      node('relay-d', 'master', leaves(['lab-1', 'lab-2', 'lab-3'])),
      node('edge-1', 'child'),
    ]),
  ]);
}

function countNodes(tree: TopologyNode): number {
  return 1 + tree.children.reduce((sum, child) => sum + countNodes(child), 0);
}

beforeAll(async () => {
  staticDir = await buildRenderer();
  backend.add(await cutClip(VIDEO, { seconds: 16 }));
  backend.tree = twentyNodes();
  served = await serveGatewayHttp(createGateway({ backend, token, allowedHosts: ['127.0.0.1'], staticDir }));
  browser = await launchChromium();
  page = await browser.context.newPage();
  await page.goto(`${served.url}?token=${token}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  if (staticDir) await rm(staticDir, { recursive: true, force: true });
});

async function go(hash: string): Promise<void> {
  await page.evaluate((target) => {
    (globalThis as unknown as PageWindow).location.hash = target;
  }, hash);
}

/**
 * Simulated downloads: every 200 ms the node's counters grow by an amount that changes from one
 * update to the next, and the update is pushed over the live stream as a real node would.
 */
function startTraffic(): () => void {
  let tick = 0;
  const timer = setInterval(() => {
    tick += 1;
    backend.fetched.peer += ((tick * 7) % 11) * 30_000;
    if (tick % 3 === 0) backend.fetched.master += 120_000;
    if (tick % 5 === 0) backend.fetched.source += 60_000;
    void backend.stats().then((stats) => backend.push({ type: 'stats', stats }));
  }, 200);
  return () => clearInterval(timer);
}

/** The total line's points, as numbers. */
async function linePoints(scope: string): Promise<Array<[number, number]>> {
  const points = await page.locator(`${scope} [data-testid=throughput-line]`).getAttribute('points');
  return (points ?? '')
    .trim()
    .split(/\s+/)
    .filter((pair) => pair !== '')
    .map((pair) => pair.split(',').map(Number) as [number, number]);
}

async function waitForSeries(scope: string): Promise<Array<[number, number]>> {
  await page.waitForFunction(
    (selector) => {
      const line = (globalThis as unknown as PageWindow).document.querySelector(
        `${selector} [data-testid=throughput-line]`,
      );
      const pairs = (line?.getAttribute('points') ?? '').trim().split(/\s+/);
      return pairs.length >= 6 && new Set(pairs.map((pair) => pair.split(',')[1])).size >= 3;
    },
    scope,
    { timeout: 20_000 },
  );
  return linePoints(scope);
}

function expectSizesWithin(sizes: Array<{ text: string; px: number }>, min: number, max: number): void {
  expect(sizes.length).toBeGreaterThan(0);
  const outside = sizes.filter((size) => size.px < min - 0.01 || size.px > max + 0.01);
  expect(outside, `text outside ${min}-${max} px`).toEqual([]);
}

describe.skipIf(noChromium || noFfmpeg)('throughput chart', () => {
  it('on the full-width Stats page: fixed-size labels, capped height, a real series after traffic', async () => {
    await go('#/stats');
    await page.locator('[data-testid=throughput-chart]').waitFor();
    const stop = startTraffic();
    let points: Array<[number, number]>;
    try {
      points = await waitForSeries('[data-testid=stats-view]');
    } finally {
      stop();
    }
    // One point per second of history, and the rate really changed from second to second.
    expect(points.length).toBeGreaterThanOrEqual(6);
    const xs = points.map(([x]) => x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(new Set(points.map(([, y]) => y)).size).toBeGreaterThanOrEqual(3);
    // Several origins, so several stacked bands.
    expect(await page.locator('[data-testid=stats-view] .chart-area').count()).toBeGreaterThanOrEqual(2);

    const chart = await page.locator('[data-testid=stats-view] [data-testid=throughput-chart]').boundingBox();
    expect(chart!.width).toBeGreaterThan(1000);
    expect(chart!.height).toBeLessThanOrEqual(160);
    const labels = await renderedTextSizes(page, '[data-testid=stats-view] [data-testid=throughput]');
    expectSizesWithin(labels, 10, 14);
    expect(labels.map((label) => label.text)).toEqual(expect.arrayContaining(['now', '60 s ago']));
    const rateLabels = await page.locator('[data-testid=rate-label]').allTextContents();
    expect(rateLabels[0]).toBe('0 bit/s');
    expect(rateLabels.at(-1)).toMatch(/[kM]bit\/s$/);
    await screenshot(page, 'stats-chart-1280x720');

    await page.setViewportSize({ width: 800, height: 600 });
    await page.waitForFunction(() => {
      const svg = (globalThis as unknown as PageWindow).document.querySelector(
        '[data-testid=throughput-chart]',
      );
      return Number(svg?.getAttribute('width')) < 800;
    });
    expectSizesWithin(await renderedTextSizes(page, '[data-testid=throughput]'), 10, 14);
    await screenshot(page, 'stats-chart-800x600');
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('in the side panel beside the player: the same label sizes and a series of its own', async () => {
    await go(`#/watch/${VIDEO}`);
    await waitForPlayback(page, 0.2);
    await page.locator('[data-testid=tab-stats]').click();
    await page.locator('.watch-side [data-testid=throughput-chart]').waitFor();
    const stop = startTraffic();
    try {
      await waitForSeries('.watch-side');
    } finally {
      stop();
    }
    const chart = await page.locator('.watch-side [data-testid=throughput-chart]').boundingBox();
    expect(chart!.width).toBeLessThan(400);
    expect(chart!.height).toBeLessThanOrEqual(160);
    expectSizesWithin(await renderedTextSizes(page, '.watch-side [data-testid=throughput]'), 10, 14);
    await screenshot(page, 'watch-stats-panel-1280x720');
  });
});

describe.skipIf(noChromium || noFfmpeg)('topology of twenty nodes', () => {
  const nodeCount = countNodes(twentyNodes());

  it('in the side panel: a list with every label at 11 px or more, that folds', async () => {
    await go(`#/watch/${VIDEO}`);
    await waitForPlayback(page, 0.2);
    await page.locator('[data-testid=tab-topology]').click();
    const panel = '.watch-side [data-testid=topology-panel]';
    await page.locator(`${panel} [data-testid=topology-node][data-self=true]`).waitFor();
    expect(await page.locator(`${panel} [data-testid=topology-outline]`).count()).toBe(1);
    expect(await page.locator(`${panel} [data-testid=topology-node]`).count()).toBe(nodeCount);
    const sizes = await renderedTextSizes(page, panel);
    expect(sizes.map((size) => size.text)).toEqual(expect.arrayContaining(['living-room-tv', 'lab-3']));
    expectSizesWithin(sizes, 11, 20);
    // The list scrolls inside the panel rather than pushing the page.
    const scroller = await page.locator(`${panel} .topology-scroll`).boundingBox();
    expect(scroller!.y + scroller!.height).toBeLessThanOrEqual(720);
    await screenshot(page, 'watch-topology-panel-1280x720');

    await page.locator(`${panel} [data-name=master-b] .outline-toggle`).click();
    expect(await page.locator(`${panel} [data-testid=topology-node]`).count()).toBe(nodeCount - 5);
    expect(await page.locator(`${panel} [data-name=master-b] .outline-folded`).textContent()).toBe('+5');

    // The graph is there for whoever wants it: it scrolls, still at full text size.
    await page.locator(`${panel} [data-testid=topology-shape-graph]`).click();
    await page.locator(`${panel} [data-testid=topology-graph]`).waitFor();
    expectSizesWithin(await renderedTextSizes(page, panel), 11, 20);

    // At 800x600 the panel sits under the video, at full width: the list again, same sizes.
    await page.locator(`${panel} [data-testid=topology-shape-list]`).click();
    await page.setViewportSize({ width: 800, height: 600 });
    await page.locator(panel).scrollIntoViewIfNeeded();
    expectSizesWithin(await renderedTextSizes(page, panel), 11, 20);
    await screenshot(page, 'watch-topology-panel-800x600');
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('in the full-width view: the graph, every label at 11 px or more, at 1280x720 and 800x600', async () => {
    await go('#/topology');
    const view = '[data-testid=topology-view]';
    await page.locator(`${view} [data-testid=topology-graph]`).waitFor();
    expect(await page.locator(`${view} [data-testid=topology-node]`).count()).toBe(nodeCount);
    const graph = await page.locator(`${view} [data-testid=topology-graph]`).boundingBox();
    expect(graph!.width).toBeLessThanOrEqual(1280);
    expectSizesWithin(await renderedTextSizes(page, view), 11, 20);
    const self = page.locator(`${view} [data-testid=topology-node][data-self=true]`);
    expect(await self.getAttribute('data-name')).toBe('laptop');
    await screenshot(page, 'topology-20-nodes-1280x720');

    await page.setViewportSize({ width: 800, height: 600 });
    await page.locator(`${view} [data-testid=topology-outline]`).waitFor();
    expectSizesWithin(await renderedTextSizes(page, view), 11, 20);
    await screenshot(page, 'topology-20-nodes-800x600');
    await page.setViewportSize({ width: 1280, height: 720 });
  });
});
