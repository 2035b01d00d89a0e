/**
 * Links in the player: Copy link on a library card, Open link in the header, a link pasted on the
 * library, and (with a stand-in desktop bridge) a link handed over by the app. Real node processes
 * (source -> viewer with --ui), a video added with the real CLI, Debian's Chromium.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatVideoLink, parseVideoLink } from '../../core/link/video-link.js';
import { generatePublisherKeyPair } from '../../core/trust/publisher-key.js';
import { launchChromium, type LaunchedBrowser } from '../helpers/chromium.js';
import { sourceStore } from '../helpers/source-store.js';
import { Swarm, assertBuilt, statsOf, type NodeProcess } from '../helpers/swarm.js';
import { screenshot } from './page-helpers.js';
import { lacks, requires } from '../helpers/requirements.js';

const noChromium = lacks(requires.chromium);
const noFfmpeg = lacks(requires.ffmpeg);

const swarm = new Swarm();
let src: NodeProcess;
let viewer: NodeProcess;
let publisher: string;
let playerUrl: URL;
let browser: LaunchedBrowser;
let page: Page;

async function keyedAddressOf(node: NodeProcess): Promise<string> {
  return `${node.address}#${(await statsOf(node)).key!}`;
}

beforeAll(async () => {
  if (noChromium || noFfmpeg) return;
  assertBuilt();
  const source = await sourceStore(swarm, 'movie', 6);
  src = await swarm.start({ name: 'source', store: source.store });
  viewer = await swarm.start({
    name: 'viewer',
    master: src,
    extra: ['--ui', '--library-prefetch', '0'],
  });
  publisher = (await statsOf(src)).trust!.publisher!;
  const { ui } = await viewer.ready;
  if (ui === undefined) throw new Error('the viewer started with --ui printed no player URL');
  playerUrl = new URL(ui);
  browser = await launchChromium();
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: playerUrl.origin,
  });
  page = await browser.context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await swarm.stop();
});

const notice = () => page.locator('[data-testid=link-notice]');

/** A paste of `text` on the page's body, as Ctrl+V on the library does it. */
function pasteOnLibrary(target: Page, text: string): Promise<unknown> {
  return target.evaluate(`(() => {
    const data = new DataTransfer();
    data.setData('text/plain', ${JSON.stringify(text)});
    document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
  })()`);
}

async function openLinkField(target: Page, text: string): Promise<void> {
  await target.locator('[data-testid=open-link]').click();
  await target.locator('[data-testid=open-link-input]').fill(text);
  await target.locator('[data-testid=open-link-submit]').click();
}

describe.skipIf(noChromium || noFfmpeg)('links in the player', () => {
  it("copies the card's link: the source's publisher, the video, this node then the source", async () => {
    await page.goto(playerUrl.href);
    const card = page.locator('[data-testid=video-card][data-name=movie]');
    await card.locator('[data-testid=copy-link]').click();
    await card.locator('[data-testid=copy-link-copied]').waitFor();
    expect(await card.locator('[data-testid=copy-link]').textContent()).toBe('Copied');
    const copied = (await page.evaluate('navigator.clipboard.readText()')) as string;
    const link = parseVideoLink(copied);
    expect(link.publisher).toBe(publisher);
    expect(link.video).toBe('movie');
    expect(link.peers).toEqual([await keyedAddressOf(viewer), await keyedAddressOf(src)]);
    await screenshot(page, 'library-links-1280x720');
  });

  it('opens a pasted link to a video of its own swarm in the player', async () => {
    await page.goto(playerUrl.href);
    await page.locator('[data-testid=video-card]').first().waitFor();
    const link = formatVideoLink({ publisher, video: 'movie', peers: [src.address] });
    await pasteOnLibrary(page, `  ${link}\n`);
    await page.waitForURL(/#\/watch\/movie$/);
  });

  it('says in a browser that joining another swarm needs the desktop app or node --join', async () => {
    await page.goto(playerUrl.href);
    const elsewhere = formatVideoLink({
      publisher: generatePublisherKeyPair().publicKey,
      video: 'their film',
      peers: ['tcp://192.0.2.10:7999'],
    });
    await openLinkField(page, elsewhere);
    await page.locator('[data-testid=link-notice][data-kind=needs-app]').waitFor();
    expect(await notice().textContent()).toMatch(/desktop app.*peerstreamer node --join/);
    await screenshot(page, 'library-open-link-needs-app-1280x720');
  });

  it("shows the parser's words for a bad link, naming the wrong part", async () => {
    await page.goto(playerUrl.href);
    await openLinkField(page, 'peerstreamer://short/movie?peer=tcp://127.0.0.1:1');
    await page.locator('[data-testid=link-notice][data-kind=failed]').waitFor();
    expect(await notice().textContent()).toMatch(/publisher key must be 52 characters/);
  });
});

/**
 * The desktop app's side of the bridge, stood in for in the page: it records joinLink calls and
 * answers as the main process would after restarting the node, and hands over one link as the OS
 * would after a click (onOpenLink).
 */
const FAKE_BRIDGE = `
  window.__joined = [];
  window.__openListeners = [];
  window.peerstreamer = {
    getSettings: async () => { throw new Error('not in this test'); },
    saveSettings: async () => { throw new Error('not in this test'); },
    clearCache: async () => ({ bytesFreed: 0 }),
    pickVideos: async () => ({ queued: 0 }),
    openExternal: async () => false,
    onIngestProgress: () => () => {},
    getUpdateStatus: async () => ({ state: 'off', version: null }),
    onUpdateStatus: () => () => {},
    installUpdate: async () => ({ ok: false, message: 'no' }),
    reportWatching: async () => {},
    joinLink: async (link) => { window.__joined.push(link); return { ok: true, video: 'movie' }; },
    onOpenLink: (listener) => { window.__openListeners.push(listener); return () => {}; },
    onShowPage: () => () => {},
  };
`;

describe.skipIf(noChromium || noFfmpeg)('links in the desktop app (stand-in bridge)', () => {
  it('asks first, then hands a link to another swarm to the app to join, and opens the video', async () => {
    const desk = await browser.context.newPage();
    await desk.addInitScript({ content: FAKE_BRIDGE });
    await desk.goto(playerUrl.href);
    await desk.locator('[data-testid=video-card]').first().waitFor();
    const elsewhere = formatVideoLink({
      publisher: generatePublisherKeyPair().publicKey,
      video: 'movie',
      peers: ['tcp://192.0.2.10:7999'],
    });
    await pasteOnLibrary(desk, elsewhere);
    // Joining re-homes the node, and a web page can hand the app a link: nothing moves before a yes.
    await desk.locator('[data-testid=link-notice][data-kind=confirm-join]').waitFor();
    expect(await desk.locator('[data-testid=link-notice]').textContent()).toMatch(
      /“movie”.*another swarm\. Join it\?.*tcp:\/\/192\.0\.2\.10:7999/,
    );
    await screenshot(desk, 'library-open-link-confirm-join-1280x720');
    expect(await desk.evaluate('window.__joined')).toEqual([]);
    await desk.locator('[data-testid=link-cancel]').click();
    await desk.locator('[data-testid=link-notice]').waitFor({ state: 'detached' });
    expect(await desk.evaluate('window.__joined')).toEqual([]);

    await pasteOnLibrary(desk, elsewhere);
    await desk.locator('[data-testid=link-join]').click();
    await desk.waitForURL(/#\/watch\/movie$/);
    expect(await desk.evaluate('window.__joined')).toEqual([elsewhere]);

    // A link the OS handed the app takes the same path.
    await desk.goto(playerUrl.href);
    await desk.waitForFunction('window.__openListeners.length > 0');
    await desk.evaluate(`window.__openListeners.at(-1)(${JSON.stringify('peerstreamer://bad')})`);
    await desk.locator('[data-testid=link-notice][data-kind=failed]').waitFor();
    expect(await desk.locator('[data-testid=link-notice]').textContent()).toMatch(/cannot be used/);
    await desk.close();
  });
});
