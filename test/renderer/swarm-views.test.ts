import { rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../core/gateway/gateway.js';
import { serveGatewayHttp, type ServedGateway } from '../../core/gateway/serve-http.js';
import type { TopologyNode } from '../../core/shared/api-types.js';
import { MANIFEST_VERSION } from '../../core/shared/manifest.js';
import { sha256Hex } from '../../core/util/hash.js';
import { cutClip } from '../helpers/media-fixtures.js';
import { MemoryBackend } from '../gateway/fixtures/memory-backend.js';
import { launchChromium, type LaunchedBrowser } from '../helpers/chromium.js';
import { buildRenderer } from './build-renderer.js';
import { screenshot } from './page-helpers.js';
import type { PageWindow } from './page-types.js';
import { lacks, requires } from '../helpers/requirements.js';

const noChromium = lacks(requires.chromium);
const noFfmpeg = lacks(requires.ffmpeg);

/**
 * Views that need a swarm a lone store cannot show (peers, a tree of nodes, joins and leaves) and
 * videos a real ingest would never produce (an HEVC manifest this browser cannot decode, a legacy
 * video), served by the real gateway over an in-memory backend.
 */
const token = 'swarm-views-token-0123456789';
const backend = new MemoryBackend();
let staticDir: string;
let served: ServedGateway;
let browser: LaunchedBrowser;
let page: Page;

function node(
  name: string,
  role: TopologyNode['role'],
  held: number[],
  children: TopologyNode[] = [],
  extra: Partial<TopologyNode> = {},
): TopologyNode {
  return {
    name,
    address: `tcp://10.0.0.${name.length}:7000`,
    role,
    self: false,
    alive: true,
    chunks: { 'h264 clip': held },
    children,
    ...extra,
  };
}

function tree(withLateJoiner: boolean): TopologyNode {
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  const childrenOfA = [
    node('laptop', 'child', range(0, 3), [], { self: true }),
    node('desk-pc', 'child', range(2, 6)),
  ];
  if (withLateJoiner) childrenOfA.push(node('late-joiner', 'child', [0]));
  return node('source', 'source', range(0, 8), [
    node('master-a', 'master', range(0, 8), childrenOfA),
    node('master-b', 'master', range(0, 5), [node('tv-box', 'child', [7], [], { alive: false })]),
  ]);
}

beforeAll(async () => {
  staticDir = await buildRenderer();
  const clip = await cutClip('h264 clip', { seconds: 16 });
  backend.add(clip);
  backend.add({
    ...clip,
    manifest: {
      ...clip.manifest,
      name: 'hevc clip',
      mimeType: 'video/mp4; codecs="hvc1.1.6.L93.B0, mp4a.40.2"',
    },
  });
  const legacyBytes = new Uint8Array([1, 2, 3]);
  backend.add({
    manifest: {
      version: MANIFEST_VERSION,
      kind: 'legacy',
      name: 'old-video',
      mimeType: 'application/octet-stream',
      duration: null,
      width: null,
      height: null,
      init: null,
      chunks: [{ index: 0, start: null, duration: null, size: 3, sha256: sha256Hex(legacyBytes) }],
      createdAt: new Date().toISOString(),
    },
    chunks: [legacyBytes],
  });
  backend.peers = [
    {
      name: 'master-a',
      address: 'tcp://10.0.0.8:7000',
      relation: 'master',
      rttMs: 3.2,
      bytesUp: 0,
      bytesDown: 48_000_000,
      failures: 0,
      lastSeen: new Date().toISOString(),
    },
    {
      name: 'source',
      address: 'tcp://10.0.0.6:7000',
      relation: 'supermaster',
      rttMs: 21,
      bytesUp: 0,
      bytesDown: 1_200_000,
      failures: 1,
      lastSeen: null,
    },
    {
      name: 'desk-pc',
      address: 'tcp://10.0.0.7:7000',
      relation: 'peer',
      rttMs: 1.1,
      bytesUp: 5_300_000,
      bytesDown: 22_000_000,
      failures: 0,
      lastSeen: new Date().toISOString(),
    },
  ];
  backend.tree = tree(false);
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

describe.skipIf(noChromium || noFfmpeg)('errors a viewer can read', () => {
  it('names the codec this browser cannot play', async () => {
    await go('#/watch/hevc%20clip');
    const overlay = page.locator('[data-testid=player-error]');
    await overlay.waitFor();
    expect(await overlay.getAttribute('data-kind')).toBe('codec');
    const text = await overlay.textContent();
    expect(text).toContain("This browser can't play H.265 (hvc1.1.6.L93.B0)");
    expect(text).not.toContain('mp4a.40.2');
    await screenshot(page, 'error-codec-1280x720');
  });

  it('says a legacy video cannot play in the browser, in words', async () => {
    await go('#/');
    await page.locator('[data-testid=video-card][data-name=old-video] .tag-legacy').waitFor();
    await go('#/watch/old-video');
    const overlay = page.locator('[data-testid=player-error][data-kind=legacy]');
    await overlay.waitFor();
    expect(await overlay.textContent()).toContain('old byte-split format');
  });
});

describe.skipIf(noChromium || noFfmpeg)('swarm views', () => {
  it('shows the peer table', async () => {
    await go('#/stats');
    const rows = page.locator('[data-testid=peer-table] tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(0).textContent()).toContain('master-a');
    expect(await rows.nth(1).textContent()).toContain('supermaster');
    // Measured RTTs as the CLI writes them: tenths below 10 ms, whole milliseconds above.
    expect(await page.locator('[data-testid=peer-rtt]').allTextContents()).toEqual([
      '3.2 ms',
      '21 ms',
      '1.1 ms',
    ]);
    expect(await page.getByTestId('node-place').textContent()).toContain('memory · child of master-a ·');
    // Nothing said of reachability until a master's dial-back found this node unreachable.
    expect(await page.getByTestId('node-reachability').count()).toBe(0);
    // Nor of port mapping while it is off.
    expect(await page.getByTestId('node-port-mapping').count()).toBe(0);
    backend.reachable = false;
    backend.portMapping = { state: 'failed', reason: 'NAT-PMP at 192.168.1.1: it refused: Not Authorized' };
    backend.push({ type: 'stats', stats: await backend.stats() });
    await page.getByTestId('node-reachability').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('node-reachability').textContent()).toBe(
      'not reachable from outside: sharing only through your master',
    );
    expect(await page.getByTestId('node-port-mapping').textContent()).toBe(
      'router did not open the port: NAT-PMP at 192.168.1.1: it refused: Not Authorized',
    );
    await screenshot(page, 'stats-swarm-1280x720');
  });

  it('draws the tree, highlights this node, and follows joins and leaves live', async () => {
    await go('#/topology');
    const nodes = page.locator('[data-testid=topology-view] [data-testid=topology-node]');
    await page.waitForFunction(
      () =>
        (globalThis as unknown as PageWindow).document.querySelectorAll('[data-testid=topology-node]')
          .length === 6,
    );
    const self = page.locator('[data-testid=topology-node][data-self=true]');
    expect(await self.getAttribute('data-name')).toBe('laptop');
    expect(await self.locator('[data-testid=chunk-strip]').getAttribute('data-held')).toBe('3');
    expect(await page.getByTestId('topology-roles').textContent()).toMatch(
      /source: has no master.*master: registered under a master and has children.*child: registered under a master, no children/,
    );
    await screenshot(page, 'topology-1280x720');

    backend.tree = tree(true);
    backend.push({ type: 'topology', topology: backend.tree });
    await page.locator('[data-testid=topology-node][data-name=late-joiner]').waitFor({ timeout: 5_000 });
    expect(await nodes.count()).toBe(7);

    backend.tree = tree(false);
    backend.push({ type: 'topology', topology: backend.tree });
    await page
      .locator('[data-testid=topology-node][data-name=late-joiner]')
      .waitFor({ state: 'detached', timeout: 5_000 });
    expect(await nodes.count()).toBe(6);

    await page.setViewportSize({ width: 800, height: 600 });
    await screenshot(page, 'topology-800x600');
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('says how many nodes a tree cut to the protocol’s bounds left out, where they hang', async () => {
    // master-b's children past the cut are not listed; it says how many there are.
    const cut = tree(false);
    cut.children[1]!.omitted = 9_990;
    backend.tree = cut;
    backend.push({ type: 'topology', topology: cut });
    await go('#/topology');
    const view = '[data-testid=topology-view]';
    const inGraph = page.locator(
      `${view} [data-testid=topology-node][data-name=master-b] [data-testid=topology-omitted]`,
    );
    await inGraph.waitFor({ timeout: 5_000 });
    expect(await inGraph.textContent()).toBe('+9,990');
    expect(await page.locator(`${view} [data-testid=topology-omitted]`).count()).toBe(1);
    await screenshot(page, 'topology-cut-1280x720');

    await page.locator(`${view} [data-testid=topology-shape-list]`).click();
    const inList = page.locator(`${view} [data-testid=topology-outline] [data-testid=topology-omitted]`);
    await inList.waitFor();
    expect(await inList.textContent()).toBe('+9,990 more, not listed');
    // Folded, master-b counts the nodes below it that are listed and those that are not.
    await page.locator(`${view} [data-name=master-b] .outline-toggle`).click();
    expect(await page.locator(`${view} [data-name=master-b] .outline-folded`).textContent()).toBe('+9,991');
    await page.locator(`${view} [data-testid=topology-shape-graph]`).click();

    backend.tree = tree(false);
    backend.push({ type: 'topology', topology: backend.tree });
    await page
      .locator(`${view} [data-testid=topology-omitted]`)
      .waitFor({ state: 'detached', timeout: 5_000 });
  });
});
