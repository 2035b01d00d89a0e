/**
 * A click on a library card plays on the <video> the library warmed, whose SourceBuffer was primed
 * with the first listed video's init segment: the clicked video takes that buffer over, switched to
 * its own type when it differs, and plays from start to end. When priming fails, the click still
 * plays on a buffer of its own.
 */
import { rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayBackend } from '../../core/gateway/backend.js';
import { PeerStreamerError } from '../../core/util/errors.js';
import { launchChromium, type LaunchedBrowser } from '../helpers/chromium.js';
import { startSourceNode, type SourceNode } from '../gateway/fixtures/source-node.js';
import { buildRenderer } from './build-renderer.js';
import { videoState } from './page-helpers.js';
import type { PageDebug, PageWindow } from './page-types.js';
import { lacks, requires } from '../helpers/requirements.js';

const noChromium = lacks(requires.chromium);
const noFfmpeg = lacks(requires.ffmpeg);

/** Listed first (the library sorts by name), so the one the warmed <video> is primed with. */
const FIRST = 'A small clip';
/** Another resolution, so another init segment and (for H.264) another codec level in its type. */
const OTHER = 'B large clip';
const failInitOf = new Set<string>();
let staticDir: string;
let node: SourceNode;
/** One per test: each is a first visit, with nothing in the browser's cache. */
let browser: LaunchedBrowser | undefined;
const pageErrors: string[] = [];

function withFailingInit(backend: GatewayBackend): GatewayBackend {
  return Object.assign(Object.create(backend) as GatewayBackend, {
    getInit(name: string, signal?: AbortSignal) {
      if (failInitOf.has(name)) {
        return Promise.reject(new PeerStreamerError('UNREACHABLE', `injected failure for ${name}`, {}));
      }
      return backend.getInit(name, signal);
    },
  });
}

beforeAll(async () => {
  staticDir = await buildRenderer();
  node = await startSourceNode({
    videos: [
      { name: FIRST, seconds: 3, width: 320, height: 180 },
      { name: OTHER, seconds: 3, width: 1280, height: 720 },
    ],
    staticDir,
    wrap: withFailingInit,
  });
}, 120_000);

afterAll(async () => {
  await node?.close();
  if (staticDir) await rm(staticDir, { recursive: true, force: true });
});

afterEach(async () => {
  await browser?.close();
  browser = undefined;
  failInitOf.clear();
  expect(pageErrors).toEqual([]);
});

async function openLibrary(beforeLoad?: (page: Page) => void): Promise<Page> {
  browser = await launchChromium();
  const page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  beforeLoad?.(page);
  await page.goto(node.withToken(''));
  await page.locator('[data-testid=video-card]').first().waitFor();
  return page;
}

function debug(page: Page): Promise<PageDebug> {
  return page.evaluate(() => (globalThis as unknown as PageWindow).__peerstreamer);
}

async function primedFor(page: Page): Promise<string> {
  const handle = await page.waitForFunction(
    () => (globalThis as unknown as PageWindow).__peerstreamer.primedFor,
  );
  return (await handle.jsonValue()) as string;
}

/** Clicks the card and waits until the clip has played to its end, with frames shown. */
async function clickAndPlayThrough(page: Page, name: string): Promise<PageDebug> {
  await page.locator(`[data-testid=video-card][data-name="${name}"]`).click();
  await page.waitForFunction(
    () => (globalThis as unknown as PageWindow).document.querySelector('video')?.ended === true,
    undefined,
    { timeout: 20_000 },
  );
  const state = await videoState(page);
  expect(state.error).toBeNull();
  expect(state.totalVideoFrames).toBeGreaterThan(0);
  expect(state.currentTime).toBeGreaterThan(2.5);
  return debug(page);
}

describe.skipIf(noChromium || noFfmpeg)('a library click on the primed <video>', () => {
  it('primes with the first listed video and plays that video on the same buffer', async () => {
    const page = await openLibrary();
    const mimeType = await primedFor(page);
    expect(mimeType).toMatch(/^video\/mp4; codecs="avc1\./);
    const played = await clickAndPlayThrough(page, FIRST);
    expect(played.sourceBufferFrom).toBe('primed');
    expect(played.errors).toEqual([]);
  });

  it('plays another video on the primed buffer, switched to its type, then the first one again', async () => {
    const page = await openLibrary();
    await primedFor(page);
    const other = await clickAndPlayThrough(page, OTHER);
    // Another codec level in its type string, so the buffer was switched with changeType().
    expect(node.manifests.get(OTHER)!.mimeType).not.toBe(node.manifests.get(FIRST)!.mimeType);
    expect(other.sourceBufferFrom).toBe('switched');
    expect(other.errors).toEqual([]);
    // Back in the library, a new <video> is warmed and primed for the next click.
    await page.evaluate(() => {
      (globalThis as unknown as PageWindow).location.hash = '#/';
    });
    await primedFor(page);
    const first = await clickAndPlayThrough(page, FIRST);
    expect(first.sourceBufferFrom).toBe('primed');
  });

  it('plays on a buffer of its own when the priming init segment cannot be had', async () => {
    failInitOf.add(FIRST);
    let refused: Promise<unknown> = Promise.resolve();
    const page = await openLibrary((opened) => {
      refused = opened.waitForResponse(
        (response) =>
          response.url().endsWith(`/${encodeURIComponent(FIRST)}/init`) && response.status() >= 500,
      );
    });
    // The failed priming leaves the waiting <video> unprimed, which the click must not trip on.
    await refused;
    expect((await debug(page)).primedFor).toBeNull();
    const played = await clickAndPlayThrough(page, OTHER);
    expect(played.sourceBufferFrom).toBe('new');
    expect(played.errors).toEqual([]);
  });
});
