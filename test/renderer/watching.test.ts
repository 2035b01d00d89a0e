/**
 * "A video is playing", as the real player reports it to the desktop app: the built renderer in real
 * Chromium against a real node, with a stand-in for the preload bridge that records each report.
 * The player says so from its own play, pause and ended events and when it leaves the page; the
 * update notice hides while a video plays.
 */
import { rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedBrowser } from '../helpers/chromium.js';
import { lacks, requires } from '../helpers/requirements.js';
import { startSourceNode, type SourceNode } from '../gateway/fixtures/source-node.js';
import { buildRenderer } from './build-renderer.js';
import type { PageVideo } from './page-types.js';

const noChromium = lacks(requires.chromium);
const noFfmpeg = lacks(requires.ffmpeg);

const VIDEO = 'Watched clip';
let staticDir: string;
let node: SourceNode;
let browser: LaunchedBrowser;
let page: Page;
const pageErrors: string[] = [];

/**
 * The parts of the preload bridge the player's pages call, answering as the app would with an update
 * ready; `reports` keeps what the page said about playback. A string: it runs in the page.
 */
const STAND_IN_BRIDGE = `
  globalThis.reports = [];
  globalThis.peerstreamer = {
    getUpdateStatus: async () => ({ state: 'ready', version: '0.2.0' }),
    onUpdateStatus: () => () => undefined,
    onIngestProgress: () => () => undefined,
    onOpenLink: () => () => undefined,
    onShowPage: () => () => undefined,
    installUpdate: async () => ({ ok: true }),
    reportWatching: async (watching) => {
      globalThis.reports.push(watching);
    },
  };
`;

beforeAll(async () => {
  staticDir = await buildRenderer();
  node = await startSourceNode({ videos: [{ name: VIDEO, seconds: 10 }], staticDir });
  browser = await launchChromium();
  await browser.context.addInitScript(STAND_IN_BRIDGE);
  page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(node.withToken(''));
  await page.locator('[data-testid=library]').waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await node?.close();
  if (staticDir) await rm(staticDir, { recursive: true, force: true });
});

const reports = (): Promise<boolean[]> =>
  page.evaluate(() => (globalThis as unknown as { reports: boolean[] }).reports);
const notice = () => page.getByTestId('update-notice');
const go = (hash: string) =>
  page.evaluate((target) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = target;
  }, hash);
const playerVideo = (action: 'play' | 'pause') =>
  page.evaluate((what) => {
    const video = (
      globalThis as unknown as { document: { querySelector(s: string): PageVideo } }
    ).document.querySelector('[data-testid=player] video');
    if (what === 'play') void video.play();
    else video.pause();
  }, action);

describe.skipIf(noChromium || noFfmpeg)('the player reports playback to the desktop app', () => {
  it('playing, paused, playing again, then leaving the player: each change once, and the notice follows', async () => {
    await notice().waitFor();
    expect(await reports()).toEqual([]);

    await go(`#/watch/${encodeURIComponent(VIDEO)}?t=0`);
    await expect.poll(reports, { timeout: 15_000 }).toEqual([true]);
    await notice().waitFor({ state: 'detached' });

    await playerVideo('pause');
    await expect.poll(reports).toEqual([true, false]);
    await notice().waitFor();

    await playerVideo('play');
    await expect.poll(reports).toEqual([true, false, true]);
    // Back to the library: the player reports it as it goes (its event listeners are gone by then).
    await go('#/');
    await expect.poll(reports).toEqual([true, false, true, false]);
    await notice().waitFor();
    expect(pageErrors).toEqual([]);
  });
});
