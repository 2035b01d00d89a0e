/**
 * "Go live…" in real Chromium, on a real peer node (NodeBackend, its LiveSessions running real
 * ffmpeg) behind the real gateway and renderer bundle: the dialog from the library's button and by
 * its route, a bad input shown inline in the node's words (the field marked, the node serving on),
 * a test pattern that goes live and plays in the player, then Stop stream with its recording kept;
 * the desktop menu's ShowPage arriving through the bridge; and an RTMP listener that the dialog says
 * it waits on until a real ffmpeg publishes, when the stream opens.
 *
 * Every wait is on a condition; bounds are generous because the machine is shared and slow.
 */
import { rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveNode, type LiveNode } from '../gateway/fixtures/live-node.js';
import { launchChromium, type LaunchedBrowser } from '../helpers/chromium.js';
import { lacks, requires } from '../helpers/requirements.js';
import { waitFor } from '../helpers/wait.js';
import { freePort } from '../../core/util/free-port.js';
import { exited, publish } from '../media/live-helpers.js';
import { buildRenderer } from './build-renderer.js';
import { screenshot } from './page-helpers.js';
import type { PageWindow } from './page-types.js';

const STREAM = 'Morning show';

let staticDir: string;
let node: LiveNode;
let browser: LaunchedBrowser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  staticDir = await buildRenderer();
  node = await startLiveNode({ staticDir });
  browser = await launchChromium();
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(node.withToken(''));
  await page.locator('[data-testid=library]').waitFor();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await node?.close();
  if (staticDir) await rm(staticDir, { recursive: true, force: true });
});

const dialog = () => page.locator('[data-testid=go-live-dialog]');
const hash = () => page.evaluate(() => (globalThis as unknown as PageWindow).location.hash);
const setHash = (value: string) =>
  page.evaluate((to) => {
    (globalThis as unknown as PageWindow).location.hash = to;
  }, value);

async function openFromLibrary(): Promise<void> {
  await setHash('#/');
  await page.locator('[data-testid=go-live-open]').click();
  await dialog().waitFor();
}

describe.skipIf(lacks(requires.chromium) || lacks(requires.ffmpeg))('Go live… in the player', () => {
  it('opens from the library button and by its route, and closes with Escape or Cancel', async () => {
    await openFromLibrary();
    expect(await hash()).toBe('#/go-live');
    // The library stays under the dialog.
    expect(await page.locator('[data-testid=library]').count()).toBe(1);
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });
    expect(await hash()).toBe('#/');

    await setHash('#/go-live');
    await dialog().waitFor();
    // Every choice `live start --input` has.
    for (const kind of ['test-pattern', 'file', 'rtmp', 'srt', 'camera']) {
      expect(await page.locator(`[data-testid=go-live-kind-${kind}]`).count()).toBe(1);
    }
    await page.locator('[data-testid=go-live-cancel]').click();
    await dialog().waitFor({ state: 'detached' });
  }, 30_000);

  it('shows the node’s refusal of a bad input inline, on the field it names, and the node serves on', async () => {
    await openFromLibrary();
    await page.locator('[data-testid=go-live-name]').fill('Bad input');
    await page.locator('[data-testid=go-live-kind-rtmp]').click();
    await page.locator('[data-testid=go-live-listen]').fill('rtmp://0.0.0.0:1935');
    await page.locator('[data-testid=go-live-submit]').click();
    const error = page.locator('[data-testid=go-live-error]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(
      /live input listen "rtmp:\/\/0\.0\.0\.0:1935" is not valid; .*the path names the RTMP application/,
    );
    expect(await page.locator('[data-testid=go-live-listen]').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'go-live-dialog-error');

    // A window out of range: the node names the field.
    await page.locator('[data-testid=go-live-kind-test-pattern]').click();
    await page.locator('[data-testid=go-live-window]').fill('100000');
    await page.locator('[data-testid=go-live-submit]').click();
    await waitFor(
      async () =>
        /field "window" must be an integer from 0 to 86400; got 100000/.test(
          (await error.textContent()) ?? '',
        ),
      'the window refusal',
    );
    expect(await page.locator('[data-testid=go-live-window]').getAttribute('aria-invalid')).toBe('true');
    // The dialog stays open with what was typed; nothing went live.
    expect(await page.locator('[data-testid=go-live-name]').inputValue()).toBe('Bad input');
    expect(node.node.live.list()).toEqual([]);
    await page.locator('[data-testid=go-live-cancel]').click();
    await waitFor(async () => (await page.locator('[data-testid=video-card]').count()) === 0, 'the library');
  }, 60_000);

  it('goes live with a test pattern, plays it, offers Stop on its card and player, and stops keeping the recording', async () => {
    await openFromLibrary();
    await page.locator('[data-testid=go-live-name]').fill(STREAM);
    await page.locator('[data-testid=go-live-kind-test-pattern]').click();
    await page.locator('[data-testid=go-live-test-pattern]').selectOption('640x360@25');
    await page.locator('[data-testid=go-live-window]').fill('0');
    await screenshot(page, 'go-live-dialog');
    await page.locator('[data-testid=go-live-submit]').click();

    // The node answers once the first chunk is stored; the player opens the stream.
    await waitFor(
      async () => (await hash()) === `#/watch/${encodeURIComponent(STREAM)}`,
      'the player',
      30_000,
    );
    await page.locator('[data-testid=live-badge]').waitFor({ timeout: 30_000 });
    await waitFor(
      () =>
        page.evaluate(() => {
          const video = (globalThis as unknown as PageWindow).document.querySelector('video');
          return video !== null && !video.paused && video.getVideoPlaybackQuality().totalVideoFrames > 10;
        }),
      'the live test pattern playing',
      60_000,
    );

    // Its library card, as this node publishes it, offers Stop.
    await setHash('#/');
    const card = page.locator(`[data-testid=video-card][data-name="${STREAM}"]`);
    await card.locator('[data-testid=live-marker]').waitFor({ timeout: 20_000 });
    await card.locator('[data-testid=stop-stream]').waitFor({ timeout: 20_000 });

    // Stop from the player, keeping the recording under the offered name.
    await card.locator('a.video-link').click();
    await page.locator('[data-testid=live-badge]').waitFor({ timeout: 30_000 });
    await page.locator('.watch-title [data-testid=stop-stream]').click();
    await screenshot(page, 'go-live-stop-stream');
    expect(await page.locator('[data-testid=stop-stream-keep]').isChecked()).toBe(true);
    expect(await page.locator('[data-testid=stop-stream-keep-name]').inputValue()).toBe(
      `${STREAM} (recording)`,
    );
    await page.locator('[data-testid=stop-stream-confirm]').click();
    const stopped = page.locator('[data-testid=stream-stopped]');
    await stopped.waitFor({ timeout: 20_000 });
    expect(await stopped.textContent()).toContain(`Recording kept as ${STREAM} (recording)`);
    await page.locator('[data-testid=live-ended]').waitFor({ timeout: 30_000 });
    expect(node.node.live.list()).toEqual([expect.objectContaining({ name: STREAM, state: 'stopped' })]);
    expect(node.node.store.getManifest(`${STREAM} (recording)`)).toBeDefined();

    // The library lists the recording, and no Stop any more.
    await setHash('#/');
    await page
      .locator(`[data-testid=video-card][data-name="${STREAM} (recording)"]`)
      .waitFor({ timeout: 20_000 });
    await waitFor(async () => (await card.locator('[data-testid=stop-stream]').count()) === 0, 'Stop gone');
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('in the desktop app, the menu’s Go live… (ShowPage through the bridge) opens the dialog', async () => {
    const appPage = await browser.context.newPage();
    try {
      // The bridge as the preload exposes it, reduced to what the page calls; the test plays main.
      await appPage.addInitScript(`
        window.__showPage = [];
        window.peerstreamer = {
          getUpdateStatus: async () => ({ state: 'idle', version: null }),
          onUpdateStatus: () => () => {},
          onIngestProgress: () => () => {},
          onOpenLink: () => () => {},
          onShowPage: (listener) => { window.__showPage.push(listener); return () => {}; },
          reportWatching: async () => {},
        };
      `);
      await appPage.goto(node.withToken(''));
      await appPage.locator('[data-testid=library]').waitFor();
      await appPage.waitForFunction(
        () => (globalThis as unknown as { __showPage: unknown[] }).__showPage.length > 0,
      );
      await appPage.evaluate(() => {
        for (const listener of (globalThis as unknown as { __showPage: Array<(page: string) => void> })
          .__showPage)
          listener('go-live');
      });
      await appPage.locator('[data-testid=go-live-dialog]').waitFor();
      expect(await appPage.evaluate(() => (globalThis as unknown as PageWindow).location.hash)).toBe(
        '#/go-live',
      );
    } finally {
      await appPage.close();
    }
  }, 30_000);

  it('an RTMP listener: the dialog says it waits for its publisher, then opens the stream when it sends', async () => {
    const listen = `rtmp://127.0.0.1:${await freePort()}/live`;
    await openFromLibrary();
    await page.locator('[data-testid=go-live-name]').fill('From OBS');
    await page.locator('[data-testid=go-live-kind-rtmp]').click();
    await page.locator('[data-testid=go-live-listen]').fill(listen);
    await page.locator('[data-testid=go-live-submit]').click();
    // The node answers `starting` after its first-chunk wait: nobody publishes yet.
    const waiting = page.locator('[data-testid=go-live-waiting]');
    await waiting.waitFor({ timeout: 30_000 });
    expect(await waiting.textContent()).toContain(`Waiting for ${listen}`);
    expect(await hash()).toBe('#/go-live');

    const publisher = publish(listen, 30);
    try {
      await waitFor(
        async () => (await hash()) === `#/watch/${encodeURIComponent('From OBS')}`,
        'the player, once the publisher sends',
        60_000,
      );
      await page.locator('[data-testid=live-badge]').waitFor({ timeout: 30_000 });
    } finally {
      await node.node.live.stop('From OBS').catch(() => undefined);
      publisher.kill('SIGKILL');
      await exited(publisher);
    }
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
