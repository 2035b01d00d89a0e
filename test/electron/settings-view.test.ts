import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedBrowser } from '../helpers/chromium.js';
import { lacks, requires } from '../helpers/requirements.js';
import { CACHE_SIZE_UNIT, UPLOAD_LIMIT_UNIT } from '../../core/settings/settings-model.js';
import { buildHarness } from '../helpers/harness-build.js';

const noChromium = lacks(requires.chromium);

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const HARNESS = path.join(REPO, 'test', 'electron', 'fixtures', 'settings-harness');
const ORIGIN = 'http://settings.harness';

let outDir: string;
let browser: LaunchedBrowser;

beforeAll(async () => {
  outDir = await buildHarness(HARNESS, 'settings-view');
  browser = await launchChromium();
  // Served from memory, so no port is opened and no file: URL quirks apply.
  await browser.context.route(`${ORIGIN}/**`, async (route) => {
    const file = path.join(outDir, new URL(route.request().url()).pathname);
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'text/html';
    await route.fulfill({ body: await readFile(file), contentType: type });
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await rm(outDir, { recursive: true, force: true });
});

async function open(query = ''): Promise<Page> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${ORIGIN}/index.html${query}`);
  await page.getByTestId('settings-view').waitFor();
  expect(errors).toEqual([]);
  return page;
}

describe.skipIf(noChromium)('settings screen (real Chromium, stand-in bridge)', () => {
  it('shows the saved settings and the startup warnings', async () => {
    const page = await open();
    await expect.poll(() => page.getByTestId('setting-name').inputValue()).toBe('desk-1');
    expect(await page.getByTestId('setting-port').inputValue()).toBe('7780');
    expect(await page.getByTestId('setting-closeToTray').isChecked()).toBe(true);
    // On by default: a home computer serves peers only through a port its router opened.
    expect(await page.getByTestId('setting-portMapping').isChecked()).toBe(true);
    expect(await page.locator('label[for=setting-portMapping]').textContent()).toContain(
      'Open my port on the router (UPnP/NAT-PMP)',
    );
    expect(await page.getByTestId('setting-launchAtLogin').isChecked()).toBe(false);
    expect(await page.getByTestId('setting-autoUpdate').isChecked()).toBe(true);
    expect(await page.getByTestId('settings-warning').textContent()).toMatch(/using the default 7780/);
    expect(await page.getByTestId('settings-save').isDisabled()).toBe(true);
    // The units the form converts with (core/settings) are the ones its labels name.
    expect(await page.locator('label[for=setting-cacheSizeGiB]').textContent()).toBe(
      `Cache size (${CACHE_SIZE_UNIT.label})`,
    );
    expect(await page.locator('label[for=setting-uploadLimitMiBps]').textContent()).toBe(
      `Upload limit (${UPLOAD_LIMIT_UNIT.label})`,
    );
    await page.close();
  });

  it('puts each problem in words next to its field and saves nothing until all are fixed', async () => {
    const page = await open();
    await page.getByTestId('setting-port').fill('eighty');
    await page.getByTestId('setting-cacheSizeGiB').fill('-1');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('setting-port-problem').waitFor();
    expect(await page.getByTestId('setting-port-problem').textContent()).toMatch(
      /Port "eighty" is not valid/,
    );
    expect(await page.getByTestId('setting-cacheSizeGiB-problem').textContent()).toMatch(/greater than zero/);
    expect(await page.getByTestId('setting-port').getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({
      path: path.join(REPO, 'test-artifacts', 'screenshots', 'settings-problems-1280x720.png'),
    });

    await page.getByTestId('setting-port').fill('8001');
    await page.getByTestId('setting-cacheSizeGiB').fill('');
    await page.getByTestId('setting-closeToTray').uncheck();
    await page.getByTestId('setting-portMapping').uncheck();
    await page.getByTestId('settings-save').click();
    await page.getByText('Saved; the node restarted.').waitFor();
    expect(
      await page.evaluate(() => (globalThis as unknown as { harness: { saves: unknown[] } }).harness.saves),
    ).toEqual([
      { port: 'eighty', cacheSizeBytes: -(2 ** 30) },
      { port: 8001, portMapping: false, closeToTray: false },
    ]);
    expect(await page.getByTestId('setting-port-problem').count()).toBe(0);
    await page.close();
  });

  it('offers Add video and Clear cache', async () => {
    const page = await open();
    await page.getByTestId('settings-add-video').click();
    await page.getByTestId('settings-clear-cache').click();
    // 12,500,000 bytes, written as the whole app writes sizes.
    await page.getByText('Freed 11.9 MiB').waitFor();
    expect(
      await page.evaluate(() => (globalThis as unknown as { harness: { picks: number } }).harness.picks),
    ).toBe(1);
    await page.close();
  });

  it('shows ingest progress pushed by the main process', async () => {
    const page = await open();
    const emit = (progress: object) =>
      page.evaluate(
        (p) => (globalThis as unknown as { harness: { emitIngest(p: object): void } }).harness.emitIngest(p),
        progress,
      );
    await emit({ file: '/v/clip.mp4', name: 'clip', state: 'running', fraction: 0.5 });
    expect(await page.getByTestId('ingest-notice').textContent()).toMatch(/Adding “clip” — 50%/);
    await page.screenshot({
      path: path.join(REPO, 'test-artifacts', 'screenshots', 'settings-1280x720.png'),
    });
    await emit({
      file: '/v/clip.mp4',
      name: 'clip',
      state: 'failed',
      fraction: null,
      message: 'not a video',
    });
    expect(await page.getByTestId('ingest-notice').textContent()).toMatch(
      /Could not add “clip”: not a video/,
    );
    await page.close();
  });

  it('in a plain browser (no bridge) says where settings live instead', async () => {
    const page = await open('?nobridge');
    expect(await page.getByTestId('settings-unavailable').textContent()).toMatch(/peerstreamer node --help/);
    expect(await page.getByTestId('ingest-notice').count()).toBe(0);
    await page.close();
  });
});
