import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GatewayBackend } from '../../core/gateway/backend.js';
import type { LiveUpdate } from '../../core/shared/api-types.js';
import { startSourceNode, type SourceNode } from './fixtures/source-node.js';
import { lacks, requires } from '../helpers/requirements.js';

const noFfmpeg = lacks(requires.ffmpeg);

let node: SourceNode;
let subscribers = 0;

/** Counts live subscriptions, to see the gateway let go of the backend when a client leaves. */
function counting(backend: GatewayBackend): GatewayBackend {
  return Object.assign(Object.create(backend) as GatewayBackend, {
    subscribe(listener: (update: LiveUpdate) => void) {
      subscribers++;
      const off = backend.subscribe(listener);
      return () => {
        subscribers--;
        off();
      };
    },
  });
}

beforeAll(async () => {
  node = await startSourceNode({ videos: [{ name: 'clip', seconds: 4 }], keepaliveMs: 100, wrap: counting });
});

afterAll(async () => {
  await node?.close();
});

/** Reads an SSE response until `done` says the accumulated text is enough. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  done: (text: string) => boolean,
): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  // Bounds a failure only: each read waits for the server, this turns a silent stream into a message.
  const deadline = performance.now() + 30_000;
  while (!done(text)) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for events; got:\n${text}`);
    const { value, done: ended } = await reader.read();
    if (ended) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

function parseEvents(text: string): LiveUpdate[] {
  return text
    .split('\n\n')
    .map((block) => block.split('\n').find((line) => line.startsWith('data: ')))
    .filter((line): line is string => line !== undefined)
    .map((line) => JSON.parse(line.slice('data: '.length)) as LiveUpdate);
}

describe.skipIf(noFfmpeg)('GET /api/events', () => {
  it('streams the current state, then updates as chunks are served, with keepalives', async () => {
    const controller = new AbortController();
    const response = await fetch(`${node.url}api/events`, {
      headers: { Authorization: `Bearer ${node.token}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = response.body!;
    const first = await readEvents(body, (text) => parseEvents(text).length >= 2);
    const initial = parseEvents(first);
    expect(initial.map((update) => update.type).sort()).toEqual(['stats', 'topology']);
    const before = initial.find((update) => update.type === 'stats');
    const localBefore = before?.type === 'stats' ? before.stats.bytesFetched.local : 0;

    // Serving a chunk changes the node's counters, which must reach the stream by itself.
    const chunk = await fetch(`${node.url}api/videos/clip/chunks/0`, {
      headers: { Authorization: `Bearer ${node.token}` },
    });
    const size = (await chunk.arrayBuffer()).byteLength;
    const later = await readEvents(body, (text) =>
      parseEvents(text).some(
        (update) => update.type === 'stats' && update.stats.bytesFetched.local >= localBefore + size,
      ),
    );
    expect(later.length).toBeGreaterThan(0);
    const keepalive = await readEvents(body, (text) => text.includes(': keepalive'));
    expect(keepalive).toContain(': keepalive');
    expect(subscribers).toBe(1);

    controller.abort();
    // The server notices the closed stream on its own schedule; wait for that, however long it takes.
    await vi.waitFor(() => expect(subscribers).toBe(0), { timeout: 30_000, interval: 50 });
  });

  it('sends stats on a steady clock while nothing happens, so a chart can tell an idle second from no news', async () => {
    const controller = new AbortController();
    const response = await fetch(`${node.url}api/events`, {
      headers: { Authorization: `Bearer ${node.token}` },
      signal: controller.signal,
    });
    // Nothing is fetched or added meanwhile: the initial stats plus at least two more are the clock's.
    const text = await readEvents(
      response.body!,
      (text) => parseEvents(text).filter((update) => update.type === 'stats').length >= 3,
    );
    const stats = parseEvents(text).filter((update) => update.type === 'stats');
    expect(stats.length).toBeGreaterThanOrEqual(3);
    controller.abort();
    await vi.waitFor(() => expect(subscribers).toBe(0), { timeout: 30_000, interval: 50 });
  });
});
