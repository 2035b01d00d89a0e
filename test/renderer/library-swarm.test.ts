/**
 * The library as a viewer sees it on a node that holds nothing yet: real node processes (source ->
 * relay -> viewer with --ui), videos added with the real CLI, Debian's Chromium. The poster made at
 * ingest travels down the tree with the video (verified at each hop), the card shows it and the
 * video's size, and a video without a picture keeps the gradient.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryEntry, NodeStats } from '../../core/shared/api-types.js';
import { formatBytes } from '../../core/shared/format.js';
import { manifestBytes, type MediaManifest } from '../../core/shared/manifest.js';
import { sha256Hex } from '../../core/util/hash.js';
import { launchChromium, type LaunchedBrowser } from '../helpers/chromium.js';
import { aacAudioOnly } from '../helpers/media-fixtures.js';
import { sourceStore, type SourceStore } from '../helpers/source-store.js';
import { Swarm, assertBuilt, runCli, statsOf, type NodeProcess } from '../helpers/swarm.js';
import { screenshot } from './page-helpers.js';
import type { PageWindow } from './page-types.js';
import { lacks, requires } from '../helpers/requirements.js';

const noChromium = lacks(requires.chromium);
const noFfmpeg = lacks(requires.ffmpeg);

const swarm = new Swarm();
let source: SourceStore;
let audio: MediaManifest;
let relay: NodeProcess;
let viewer: NodeProcess;
let playerUrl: URL;
let browser: LaunchedBrowser;
let page: Page;

async function api<T>(
  node: URL,
  route: string,
): Promise<{ status: number; body: T; bytes: Buffer; type: string }> {
  const url = new URL(route, node);
  url.searchParams.set('token', node.searchParams.get('token')!);
  const response = await fetch(url);
  const bytes = Buffer.from(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    bytes,
    type,
    body: (type.includes('json') ? JSON.parse(bytes.toString()) : null) as T,
  };
}

beforeAll(async () => {
  assertBuilt();
  source = await sourceStore(swarm, 'movie', 12);
  const { path: tone } = await aacAudioOnly(5);
  const added = await runCli(['add', tone, '--store', source.store, '--name', 'tone', '--json']);
  if (added.code !== 0) throw new Error(`add failed: ${added.stderr}`);
  audio = JSON.parse(added.stdout) as MediaManifest;
  const src = await swarm.start({ name: 'source', store: source.store });
  relay = await swarm.start({ name: 'relay', master: src });
  // The library prefetch is off: this viewer must hold no chunk at all, so what it shows of a video's
  // size can only come from its master's list.
  viewer = await swarm.start({
    name: 'viewer',
    master: relay,
    supermaster: src,
    extra: ['--ui', '--library-prefetch', '0'],
  });
  const { ui } = await viewer.ready;
  if (ui === undefined)
    throw new Error('the viewer started with --ui printed no player URL in its ready line');
  playerUrl = new URL(ui);
  browser = await launchChromium();
  page = await browser.context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await swarm.stop();
});

describe.skipIf(noChromium || noFfmpeg)('a viewer that holds nothing', () => {
  it('lists each video with its size and its poster, from the manifest its master gave', async () => {
    const poster = source.manifest.poster!;
    expect(poster.mimeType).toBe('image/webp');
    expect(audio.poster).toBeUndefined();
    const { body: videos } = await api<LibraryEntry[]>(playerUrl, 'api/videos');
    const movie = videos.find((video) => video.name === 'movie')!;
    expect(movie).toMatchObject({
      chunksHeld: 0,
      bytesHeld: 0,
      bytesTotal: manifestBytes(source.manifest),
      posterSha256: poster.sha256,
      // Listed by a node that holds none of it: the key comes from its master's list.
      publisher: source.manifest.publisher,
    });
    expect(movie.publisher).toMatch(/^[a-z2-7]{52}$/);
    expect(videos.find((video) => video.name === 'tone')).toMatchObject({
      chunksHeld: 0,
      bytesTotal: manifestBytes(audio),
      posterSha256: null,
    });
  });

  it('gets the poster down the tree, verified and kept at every hop', async () => {
    const poster = source.manifest.poster!;
    const response = await api<null>(playerUrl, `api/videos/movie/poster?v=${poster.sha256}`);
    expect(response.status).toBe(200);
    expect(response.type).toBe('image/webp');
    expect(sha256Hex(response.bytes)).toBe(poster.sha256);
    for (const node of [relay, viewer]) {
      expect(existsSync(path.join(node.store, 'posters', poster.sha256)), node.name).toBe(true);
    }
    const stats: NodeStats = await statsOf(viewer);
    expect(stats.invalidMessages).toBe(0);
    // The viewer still holds no chunk: a poster is not part of the cache.
    expect(stats.chunksHeld).toBe(0);
    const none = await api<{ error: { code: string } }>(playerUrl, 'api/videos/tone/poster');
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('POSTER_NOT_FOUND');
  });

  it('shows the poster on the card, the size instead of "0 B", and the gradient where there is none', async () => {
    await page.goto(playerUrl.href);
    const movie = page.locator('[data-testid=video-card][data-name=movie]');
    await movie.waitFor();
    await page.waitForFunction(() => {
      const image = (globalThis as unknown as PageWindow).document.querySelector(
        '[data-testid=video-card][data-name=movie] [data-testid=poster]',
      ) as unknown as { complete: boolean; naturalWidth: number } | null;
      return image !== null && image.complete && image.naturalWidth > 0;
    });
    const natural = await movie
      .locator('[data-testid=poster]')
      .evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth);
    expect(natural).toBe(320);
    expect(await movie.locator('[data-testid=video-size]').textContent()).toContain(
      formatBytes(manifestBytes(source.manifest)),
    );
    expect(await movie.locator('.cache-label').textContent()).toBe('0% cached');
    const tone = page.locator('[data-testid=video-card][data-name=tone]');
    expect(await tone.locator('[data-testid=poster]').count()).toBe(0);
    expect(await tone.locator('[data-testid=video-size]').textContent()).toContain(
      formatBytes(manifestBytes(audio)),
    );
    await screenshot(page, 'library-viewer-1280x720');
    await page.setViewportSize({ width: 800, height: 600 });
    await screenshot(page, 'library-viewer-800x600');
    await page.setViewportSize({ width: 1280, height: 720 });
  });
});
