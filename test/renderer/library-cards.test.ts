/**
 * Library cards when a poster cannot be shown: the manifest names one the node cannot get (404), or
 * the bytes it gets are not a picture the browser can draw. Either way the card keeps its gradient
 * and nothing else on it changes. Real gateway and Chromium over an in-memory backend.
 */
import { rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../core/gateway/gateway.js';
import { serveGatewayHttp, type ServedGateway } from '../../core/gateway/serve-http.js';
import { makePoster } from '../../core/media/poster.js';
import { probeMedia } from '../../core/media/probe.js';
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

const token = 'library-cards-token-0123456789';
const backend = new MemoryBackend();
let staticDir: string;
let served: ServedGateway;
let browser: LaunchedBrowser;
let page: Page;

beforeAll(async () => {
  staticDir = await buildRenderer();
  const clip = await cutClip('shown', { seconds: 6 });
  const probe = await probeMedia(clip.file);
  const image = (await makePoster(clip.file, probe, 6)).bytes;
  const ref = { size: image.length, sha256: sha256Hex(image), mimeType: 'image/webp' as const };
  backend.add({ ...clip, manifest: { ...clip.manifest, poster: ref }, poster: image });
  // Named by the manifest, but this node cannot get it: the route answers 404.
  backend.add({ ...clip, manifest: { ...clip.manifest, name: 'unreachable poster', poster: ref } });
  // Bytes the browser cannot decode, served as if they were the poster.
  const junk = Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBP'), Buffer.alloc(64, 1)]);
  const junkRef = { size: junk.length, sha256: sha256Hex(junk), mimeType: 'image/webp' as const };
  backend.add({
    ...clip,
    manifest: { ...clip.manifest, name: 'broken poster', poster: junkRef },
    poster: junk,
  });
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

/** True once the card has settled: its poster drawn, or dropped after failing. */
function settled(name: string, expectPoster: boolean): Promise<unknown> {
  return page.waitForFunction(
    ([card, wanted]) => {
      const image = (globalThis as unknown as PageWindow).document.querySelector(
        `[data-testid=video-card][data-name="${card as string}"] [data-testid=poster]`,
      ) as unknown as { complete: boolean; naturalWidth: number } | null;
      return wanted ? image !== null && image.complete && image.naturalWidth > 0 : image === null;
    },
    [name, expectPoster] as const,
  );
}

describe.skipIf(noChromium || noFfmpeg)('library cards', () => {
  it('show the poster when it loads and keep the gradient when it cannot', async () => {
    await page.locator('[data-testid=video-card]').first().waitFor();
    await settled('shown', true);
    await settled('unreachable poster', false);
    await settled('broken poster', false);
    for (const name of ['unreachable poster', 'broken poster']) {
      const card = page.locator(`[data-testid=video-card][data-name="${name}"]`);
      expect(await card.locator('[data-testid=thumb]').getAttribute('class')).not.toContain('has-poster');
      expect(await card.locator('[data-testid=video-duration]').textContent()).toBe('0:06');
    }
    await screenshot(page, 'library-cards-fallback-1280x720');
  });

  it('says why an unsigned video has no link instead of copying one', async () => {
    const card = page.locator('[data-testid=video-card][data-name=shown]');
    expect(await card.locator('[data-testid=video-publisher]').textContent()).toBe('unsigned');
    await card.locator('[data-testid=copy-link]').click();
    expect(await card.locator('[data-testid=copy-link-problem]').textContent()).toMatch(
      /No link: this video is unsigned.*Add it again on the source node to sign it/,
    );
    expect(await card.locator('[data-testid=copy-link]').textContent()).toBe('Copy link');
  });
});
