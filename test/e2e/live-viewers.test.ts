/**
 * A live stream's viewer count across real node processes (issue 12 §3): a source going live, a
 * level-1 node and two level-2 nodes whose players (through each node's own gateway, as the renderer
 * asks) follow the stream at the live edge. The source's library and a level-2 node's both list the
 * stream with 2 viewers; when one player stops, both drop to 1. The in-memory role tests
 * (test/roles/live-viewers.test.ts) cover the rules; this one covers the wiring: the gateway's chunk
 * route counting a view, heartbeats up, `announce-live` down, the library entry, and (with Chromium
 * here) the count on the source's library card in the real renderer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryEntry } from '../../core/shared/api-types.js';
import type { LiveManifest } from '../../core/shared/manifest.js';
import { rawRequest, type RawResponse } from '../gateway/http-client.js';
import { launchChromium, type LaunchedBrowser } from '../helpers/chromium.js';
import { liveManifestOf } from '../helpers/live-manifests.js';
import { lacks, requires } from '../helpers/requirements.js';
import { Swarm, assertBuilt, runCli, type NodeProcess } from '../helpers/swarm.js';
import { waitFor } from '../helpers/wait.js';

let swarm = new Swarm();
beforeAll(() => assertBuilt());
afterEach(async () => {
  await swarm.stop();
  swarm = new Swarm();
});

/** Bounds failures only: four nodes, ffmpeg and the CLI share two loaded cores. */
const SLOW_MS = 60_000;
const STREAM = 'talk';

/** A node's player API, as the renderer reaches it (the ready line's URL and its token). */
async function gatewayOf(node: NodeProcess): Promise<(path: string) => Promise<RawResponse>> {
  const { ui } = await node.ready;
  if (ui === undefined) throw new Error(`${node.name} was started without --ui`);
  const url = new URL(ui);
  const token = url.searchParams.get('token') ?? '';
  return (path) =>
    rawRequest(new URL(path, url).href, { headers: { Host: url.host, Authorization: `Bearer ${token}` } });
}

/** The stream's viewer count on a node's library card (undefined: none shown). */
async function viewersOn(get: (path: string) => Promise<RawResponse>): Promise<number | undefined> {
  const response = await get('api/videos');
  if (response.status !== 200) throw new Error(`api/videos: ${response.status} ${response.text}`);
  return response.json<LibraryEntry[]>().find((entry) => entry.name === STREAM)?.live?.viewers;
}

/** A player following the stream at its live edge: the newest chunk, every half second, until stopped. */
function follow(get: (path: string) => Promise<RawResponse>): { stop: () => void; chunks: () => number } {
  let stopped = false;
  let chunks = 0;
  void (async () => {
    while (!stopped) {
      const manifest = await get(`api/videos/${encodeURIComponent(STREAM)}/manifest`);
      const newest = manifest.status === 200 ? manifest.json<LiveManifest>().chunks.at(-1) : undefined;
      if (newest !== undefined) {
        const chunk = await get(`api/videos/${encodeURIComponent(STREAM)}/chunks/${newest.index}`);
        if (chunk.status === 200) chunks += 1;
      }
      await sleep(500);
    }
  })().catch(() => undefined);
  return { stop: () => (stopped = true), chunks: () => chunks };
}

/** The source's library page in Chromium, when this machine has it (null: the card is not checked). */
async function libraryPage(
  node: NodeProcess,
): Promise<{ card: () => Promise<string | null>; close: () => Promise<void> } | null> {
  if (lacks(requires.chromium)) return null;
  const browser: LaunchedBrowser = await launchChromium();
  const page = await browser.context.newPage();
  await page.goto((await node.ready).ui!);
  const viewers = page.locator(`[data-testid=video-card][data-name="${STREAM}"] [data-testid=live-viewers]`);
  return {
    card: async () =>
      (await viewers.count()) === 0
        ? null
        : `${(await viewers.textContent())?.trim()} | ${await viewers.getAttribute('title')}`,
    close: () => browser.close(),
  };
}

describe.skipIf(lacks(requires.ffmpeg))('a live stream’s viewer count across node processes', () => {
  it('two level-2 players count 2 at the source and on a level-2 node; one stops, and both show 1', async () => {
    const ui = ['--ui', '--library-prefetch', '0'];
    const source = await swarm.start({ name: 'source', extra: ui });
    const mid = await swarm.start({ name: 'mid', master: source });
    const left = await swarm.start({ name: 'left', master: mid, supermaster: source, extra: ui });
    const right = await swarm.start({ name: 'right', master: mid, supermaster: source, extra: ui });
    const started = await runCli(
      ['live', 'start', STREAM, '--store', source.store, '--input', 'testsrc:320x180@15'],
      { timeoutMs: SLOW_MS },
    );
    expect(started.code, started.stderr).toBe(0);
    await waitFor(
      async () => (await liveManifestOf(source, STREAM).catch(() => null))?.chunks.length,
      'a first chunk',
      SLOW_MS,
    );
    const atSource = await gatewayOf(source);
    const atRight = await gatewayOf(right);
    // Announced with nobody watching: the source knows it is 0 and says so.
    await waitFor(async () => (await viewersOn(atSource)) === 0, 'the source listing 0 viewers', SLOW_MS);

    const players = [follow(await gatewayOf(left)), follow(atRight)];
    const library = await libraryPage(source);
    try {
      await waitFor(
        async () => (await viewersOn(atSource)) === 2 && (await viewersOn(atRight)) === 2,
        'the source and a level-2 node listing 2 viewers',
        SLOW_MS,
      );
      expect(players.every((player) => player.chunks() > 0)).toBe(true);
      if (library !== null) {
        // The library refreshes itself every 5 s.
        await waitFor(
          async () => (await library.card()) === '2 watching | 2 nodes are playing this stream right now',
          'the card saying 2 watching',
          SLOW_MS,
        );
      }

      players[0]!.stop();
      await waitFor(
        async () => (await viewersOn(atSource)) === 1 && (await viewersOn(atRight)) === 1,
        'both listing 1 viewer once the left player stopped',
        SLOW_MS,
      );
      if (library !== null) {
        await waitFor(
          async () => (await library.card()) === '1 watching | 1 node is playing this stream right now',
          'the card saying 1 watching, in the singular',
          SLOW_MS,
        );
      }
    } finally {
      for (const player of players) player.stop();
      await library?.close();
    }
  }, 240_000);
});
