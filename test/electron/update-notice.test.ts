/**
 * The "Update ready: restart to install" notice in real Chromium, with a stand-in bridge that records
 * what the page asks of the app: shown only for a ready update, hidden while the player reports a
 * video playing (and the app told so), Restart asks the app and shows a refusal in words, Later
 * waits for the next version. test/renderer/watching.test.ts has the real player reporting.
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
const HARNESS = path.join(REPO, 'test', 'electron', 'fixtures', 'update-harness');
const ORIGIN = 'http://update.harness';

let outDir: string;
let browser: LaunchedBrowser;

beforeAll(async () => {
  outDir = await buildHarness(HARNESS, 'update-notice');
  browser = await launchChromium();
  // Served from memory, so no port is opened.
  await browser.context.route(`${ORIGIN}/**`, async (route) => {
    const name = new URL(route.request().url()).pathname;
    const file = path.join(outDir, name);
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'text/html';
    await route.fulfill({ body: await readFile(file), contentType: type });
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await rm(outDir, { recursive: true, force: true });
});

interface Harness {
  asked: number;
  reports: boolean[];
  installs: number;
  installResult: { ok: true } | { ok: false; message: string };
  emit(status: { state: string; version: string | null }): void;
  watch(now: boolean): void;
}

async function open(query = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${ORIGIN}/index.html${query}`);
  return { page, errors };
}

const harness = <T>(page: Page, read: (h: Harness) => T): Promise<T> =>
  page.evaluate(`(${read.toString()})(globalThis.harness)`) as Promise<T>;
const notice = (page: Page) => page.getByTestId('update-notice');
/** What the player reports from its media events (a string: tsconfig.json type-checks test/ without the DOM). */
const watch = (page: Page, now: boolean) => page.evaluate(`globalThis.harness.watch(${now})`);

describe.skipIf(noChromium)('the update notice (real Chromium, stand-in bridge)', () => {
  it('shows a ready update; Restart asks the app, and a refusal is shown in words', async () => {
    const { page, errors } = await open();
    await notice(page).waitFor();
    expect(await notice(page).textContent()).toMatch(
      /^Update ready: restart to install PeerStreamer 0\.2\.0\./,
    );
    await page.screenshot({
      path: path.join(REPO, 'test-artifacts', 'screenshots', 'update-notice-1280x720.png'),
    });

    await page.evaluate(() => {
      (globalThis as unknown as { harness: Harness }).harness.installResult = {
        ok: false,
        message: 'A video is being added; restart to install once it is done.',
      };
    });
    await page.getByTestId('update-restart').click();
    await expect
      .poll(() => page.getByTestId('update-problem').textContent())
      .toBe('A video is being added; restart to install once it is done.');
    expect(await harness(page, (h) => h.installs)).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows nothing until the app says the update is ready', async () => {
    const { page } = await open('?state=downloading');
    await expect.poll(() => harness(page, (h) => h.asked)).toBe(1);
    expect(await notice(page).count()).toBe(0);
    await page.evaluate(() =>
      (globalThis as unknown as { harness: Harness }).harness.emit({ state: 'waiting', version: '0.2.0' }),
    );
    expect(await notice(page).count()).toBe(0);
    await page.evaluate(() =>
      (globalThis as unknown as { harness: Harness }).harness.emit({ state: 'ready', version: '0.2.0' }),
    );
    await notice(page).waitFor();
    await page.close();
  });

  it('a video playing hides it and tells the app; once it stops, the notice is back', async () => {
    const { page, errors } = await open();
    await notice(page).waitFor();
    expect(await harness(page, (h) => h.reports)).toEqual([]);

    await watch(page, true);
    await expect.poll(() => harness(page, (h) => h.reports)).toEqual([true]);
    await notice(page).waitFor({ state: 'detached' });
    // The same answer again is not sent again.
    await watch(page, true);

    await watch(page, false);
    await expect.poll(() => harness(page, (h) => h.reports)).toEqual([true, false]);
    await notice(page).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Later hides it until a newer version is ready', async () => {
    const { page } = await open();
    await notice(page).waitFor();
    await page.getByTestId('update-later').click();
    await notice(page).waitFor({ state: 'detached' });
    await page.evaluate(() =>
      (globalThis as unknown as { harness: Harness }).harness.emit({ state: 'ready', version: '0.2.0' }),
    );
    expect(await notice(page).count()).toBe(0);
    await page.evaluate(() =>
      (globalThis as unknown as { harness: Harness }).harness.emit({ state: 'ready', version: '0.2.1' }),
    );
    await notice(page).waitFor();
    expect(await notice(page).textContent()).toMatch(/PeerStreamer 0\.2\.1/);
    await page.close();
  });

  it('in a browser (no desktop bridge) there is nothing, and no error', async () => {
    const { page, errors } = await open('?nobridge');
    await page.locator('#root .app').waitFor({ state: 'attached' });
    expect(await notice(page).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
