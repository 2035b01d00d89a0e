/**
 * The renderer's live connection in real Chromium, on a clock the test moves: each stats update the
 * node pushes is one throughput sample and one render, and nothing is added between updates (the
 * node already pushes every second; a sample of the page's own would repeat the last one).
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedBrowser } from '../helpers/chromium.js';
import { lacks, requires } from '../helpers/requirements.js';
import { buildHarness } from '../helpers/harness-build.js';

const noChromium = lacks(requires.chromium);

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const HARNESS = path.join(REPO, 'test', 'renderer', 'fixtures', 'live-harness');
const ORIGIN = 'http://live.harness';
const START = Date.UTC(2026, 11, 1, 12);

let outDir: string;
let browser: LaunchedBrowser;

/** One stats update, as the gateway sends it on api/events. */
function statsEvent(peerBytes: number): string {
  const stats = { bytesFetched: { local: 0, peer: peerBytes, master: 0, source: 0 } };
  return `event: stats\ndata: ${JSON.stringify({ type: 'stats', stats })}\n\n`;
}

beforeAll(async () => {
  outDir = await buildHarness(HARNESS, 'live');
  browser = await launchChromium();
  await browser.context.route(`${ORIGIN}/**`, async (route) => {
    const name = new URL(route.request().url()).pathname;
    if (name === '/api/events') {
      // One update, then the stream ends; `retry` keeps the browser from reconnecting during the test.
      await route.fulfill({
        body: `retry: 3600000\n\n${statsEvent(1_000)}`,
        contentType: 'text/event-stream',
      });
      return;
    }
    const file = path.join(outDir, name);
    const type = file.endsWith('.js') ? 'text/javascript' : 'text/html';
    await route.fulfill({ body: await readFile(file), contentType: type });
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await rm(outDir, { recursive: true, force: true });
});

const shown = async (page: Page, id: string): Promise<string | null> => page.getByTestId(id).textContent();

describe.skipIf(noChromium)('live updates (real Chromium, a clock the test moves)', () => {
  it('a pushed update is one sample and one render; time passing adds neither', async () => {
    const page = await browser.context.newPage();
    await page.clock.install({ time: START });
    await page.clock.pauseAt(START + 1_000);
    await page.goto(`${ORIGIN}/index.html`);
    await expect.poll(() => shown(page, 'samples')).toBe('1');
    const renders = await shown(page, 'renders');

    // Five seconds with no update from the node: the chart has nothing new to draw.
    await page.clock.runFor(5_000);
    expect(await shown(page, 'samples')).toBe('1');
    expect(await shown(page, 'renders')).toBe(renders);
    await page.close();
  });
});
