/**
 * A video no node has, asked for through a real chain (ben -> mit -> source, three PeerNodes on real
 * sockets and stores): the gateway says it in one sentence naming the nodes asked, and the player's
 * overlay says the same in words. Also, once in real Chromium, the page a browser without the token
 * gets.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../core/gateway/gateway.js';
import { serveGatewayHttp, type ServedGateway } from '../../core/gateway/serve-http.js';
import { createGatewayToken } from '../../core/gateway/token.js';
import { NodeBackend } from '../../core/node/node-backend.js';
import { nodeConfigFromFlags } from '../../core/node/node-config.js';
import { PeerNode } from '../../core/node/peer-node.js';
import type { ApiError } from '../../core/shared/api-types.js';
import { silentLogger } from '../../core/util/logger.js';
import { launchChromium, type LaunchedBrowser } from '../helpers/chromium.js';
import { buildRenderer } from '../renderer/build-renderer.js';
import { rawRequest } from './http-client.js';
import { lacks, requires } from '../helpers/requirements.js';

const noChromium = lacks(requires.chromium);

let dir: string;
let staticDir: string;
const nodes: PeerNode[] = [];
let backend: NodeBackend;
let served: ServedGateway;
let browser: LaunchedBrowser;
let page: Page;
const token = createGatewayToken();
const consoleProblems: string[] = [];

async function startNode(name: string, master?: PeerNode): Promise<PeerNode> {
  const node = await PeerNode.start(
    nodeConfigFromFlags({
      name,
      port: '0',
      ip: '127.0.0.1',
      bind: '127.0.0.1',
      store: path.join(dir, name),
      ...(master ? { master: master.address } : {}),
    }),
    { logger: silentLogger() },
  );
  nodes.push(node);
  if (master) expect(await node.link?.waitForMaster(10_000)).not.toBeNull();
  return node;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ps-unknown-video-'));
  staticDir = await buildRenderer();
  const source = await startNode('source');
  const mit = await startNode('mit', source);
  const ben = await startNode('ben', mit);
  backend = new NodeBackend(ben);
  served = await serveGatewayHttp(
    createGateway({ backend, token, allowedHosts: ['127.0.0.1'], staticDir, logger: silentLogger() }),
  );
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) consoleProblems.push(message.text());
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  backend?.close();
  for (const node of nodes.reverse()) await node.stop();
  if (staticDir) await rm(staticDir, { recursive: true, force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(noChromium)('a video no node in the chain has', () => {
  it('is one sentence in the API, naming the nodes asked and where to list the videos', async () => {
    const ben = nodes[2]!;
    const response = await rawRequest(`${served.url}api/videos/nope/manifest`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(404);
    expect(response.json<ApiError>()).toEqual({
      error: {
        code: 'VIDEO_NOT_FOUND',
        message: `No video "nope" in this swarm (asked ben -> mit -> source). See the list with: peerstreamer ls --from ${ben.address}`,
        asked: ['ben', 'mit', 'source'],
      },
    });
    expect(response.text).not.toMatch(/refused|no master to ask/);
  });

  it('is said in words over the player, without retrying', async () => {
    await page.goto(`${served.url}?token=${token}`);
    await page.locator('[data-testid=library]').waitFor();
    await page.evaluate(() => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = '#/watch/nope';
    });
    const overlay = page.locator('[data-testid=player-error]');
    await overlay.waitFor();
    expect(await overlay.getAttribute('data-kind')).toBe('missing');
    const text = await overlay.textContent();
    expect(text).toContain('No video “nope” in this swarm');
    expect(text).toContain('Asked ben → mit → source: none of them has it.');
    expect(text).not.toContain('Retrying');
  });
});

describe.skipIf(noChromium)('opening the player without its token, in Chromium', () => {
  it('shows the page that says where the player URL comes from, styled, with no CSP violation', async () => {
    // The player's cookie from the test above would let this page in: start without it.
    await browser.context.clearCookies();
    const fresh = await browser.context.newPage();
    try {
      const response = await fresh.goto(served.url);
      expect(response?.status()).toBe(401);
      const heading = await fresh.locator('h1').textContent();
      expect(heading).toContain('Open the player through the link the node printed');
      const body = await fresh.locator('body').innerText();
      expect(body).toContain('peerstreamer node … --ui');
      expect(body).toContain('npm run demo');
      // The inline style is allowed by its hash: were it blocked, the background would stay white.
      const background = await fresh
        .locator('body')
        .evaluate(
          (element: unknown) =>
            (
              globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
            ).getComputedStyle(element).backgroundColor,
        );
      expect(background).toBe('rgb(17, 17, 17)');
      expect(await fresh.locator('script').count()).toBe(0);
      expect(consoleProblems).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
