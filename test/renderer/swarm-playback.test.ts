/**
 * The player against a real swarm: node processes (source -> level-1 -> two level-2 viewers) with
 * real ZeroMQ sockets and stores, each viewer serving its player with `--ui`, driven in Debian's
 * Chromium. This is what a viewer sees when the bytes really come from peers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Swarm, assertBuilt, type NodeProcess } from '../helpers/swarm.js';
import { sourceStore } from '../helpers/source-store.js';
import { launchChromium, type LaunchedBrowser } from '../helpers/chromium.js';
import { screenshot, videoState } from './page-helpers.js';
import type { PageWindow } from './page-types.js';
import { lacks, requires } from '../helpers/requirements.js';

const noChromium = lacks(requires.chromium);
const noFfmpeg = lacks(requires.ffmpeg);

const swarm = new Swarm();
let browser: LaunchedBrowser;
let nodes: Record<'source' | 'mit' | 'alice' | 'bob', NodeProcess>;

async function playerUrl(node: NodeProcess): Promise<string> {
  // With --ui the ready line carries the player's URL.
  const { ui } = await node.ready;
  if (ui === undefined) throw new Error(`${node.name} was started without --ui`);
  return ui;
}

async function openAndPlay(page: Page, node: NodeProcess): Promise<void> {
  await page.goto(await playerUrl(node));
  await page.locator('[data-testid="video-card"][data-name="movie"]').click();
  await page.waitForFunction(
    () => {
      const video = (globalThis as unknown as PageWindow).document.querySelector('video');
      return video !== null && video.currentTime > 0.5;
    },
    undefined,
    { timeout: 20_000 },
  );
}

beforeAll(async () => {
  assertBuilt();
  const source = await sourceStore(swarm, 'movie', 12);
  const src = await swarm.start({ name: 'source', store: source.store });
  const mit = await swarm.start({ name: 'mit', master: src });
  const alice = await swarm.start({ name: 'alice', master: mit, supermaster: src, extra: ['--ui'] });
  const bob = await swarm.start({ name: 'bob', master: mit, supermaster: src, extra: ['--ui'] });
  nodes = { source: src, mit, alice, bob };
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await swarm.stop();
});

describe.skipIf(noChromium || noFfmpeg)('the player in a 3-level swarm', () => {
  it('plays a video from start to end with no stall after the first frame', async () => {
    const page = await browser.context.newPage();
    await openAndPlay(page, nodes.alice);
    await screenshot(page, 'swarm-playing');
    await page.evaluate(() => {
      (globalThis as unknown as PageWindow).document.querySelector('video')!.playbackRate = 2;
    });
    await page.waitForFunction(
      () => (globalThis as unknown as PageWindow).document.querySelector('video')!.ended,
      undefined,
      { timeout: 30_000 },
    );
    const state = await videoState(page);
    expect(state.error).toBeNull();
    expect(state.currentTime).toBeGreaterThan(11);
    expect(state.totalVideoFrames).toBeGreaterThan(100);
    const debug = await page.evaluate(() => (globalThis as unknown as PageWindow).__peerstreamer);
    // No stall for want of data. A stall with media in hand is the decoder of a loaded machine falling
    // behind, which the feed cannot prevent; it is still counted, and shown, but not held against it.
    expect(debug.stalls.starved, JSON.stringify(debug.stalls)).toBe(0);
    expect(debug.errors).toEqual([]);
    await page.close();
  });

  it('a viewer whose sibling already played the video shows bytes from peers', async () => {
    const page = await browser.context.newPage();
    await openAndPlay(page, nodes.bob);
    await page.locator('[data-testid="tab-stats"]').click();
    await expect
      .poll(async () => page.locator('[data-testid="bytes-peer"]').innerText(), { timeout: 15_000 })
      .not.toMatch(/^\s*peer\s*0 B\s*$/);
    const text = await page.locator('[data-testid="bytes-peer"]').innerText();
    expect(text).toMatch(/[1-9][\d.]* (?:[KMG]i)?B/);
    await screenshot(page, 'swarm-stats');
    await page.close();
  });

  // How soon a master drops a dead child is checked on a fake clock in test/node/dead-child.test.ts.
  it('the topology view lists every node, and a node killed with SIGKILL disappears', async () => {
    const page = await browser.context.newPage();
    await openAndPlay(page, nodes.bob);
    await page.locator('[data-testid="tab-topology"]').click();
    const shown = async (): Promise<string[]> =>
      (
        await page
          .locator('[data-testid="topology-node"]')
          .evaluateAll((els) => els.map((el) => el.getAttribute('data-name') ?? ''))
      ).sort();
    await expect.poll(shown, { timeout: 10_000 }).toEqual(['alice', 'bob', 'mit', 'source']);
    expect(
      await page.locator('[data-testid="topology-node"][data-self="true"]').getAttribute('data-name'),
    ).toBe('bob');
    await screenshot(page, 'swarm-topology');
    await nodes.alice.kill('SIGKILL');
    await expect.poll(shown, { timeout: 30_000, interval: 100 }).toEqual(['bob', 'mit', 'source']);
    await page.close();
  });
});
