/**
 * api/events pushes `live-stream` the moment a live stream the node holds grows, and when it ends:
 * what the player's LiveStreamFollower reads the manifest on, instead of waiting for its next poll.
 * A real node (its LiveSessions running real ffmpeg) behind the gateway, as `node --ui` serves it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveStreamUpdate, LiveUpdate } from '../../core/shared/api-types.js';
import { lacks, requires } from '../helpers/requirements.js';
import { cleanupTempDirs } from '../helpers/temp-dirs.js';
import { startLiveNode, type LiveNode } from './fixtures/live-node.js';

let live: LiveNode;

beforeAll(async () => {
  live = await startLiveNode({ name: 'pushing-source' });
}, 60_000);

afterAll(async () => {
  await live?.close();
  cleanupTempDirs();
});

/** The `live-stream` events in SSE text. */
function streamEvents(text: string): LiveStreamUpdate[] {
  return text
    .split('\n\n')
    .map((block) => block.split('\n').find((line) => line.startsWith('data: ')))
    .filter((line): line is string => line !== undefined)
    .map((line) => JSON.parse(line.slice('data: '.length)) as LiveUpdate)
    .filter((update): update is LiveStreamUpdate => update.type === 'live-stream');
}

/** Reads the event stream until `done` holds for what came so far. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  done: (text: string) => boolean,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  // Bounds a failure only: each read waits for the server.
  const deadline = performance.now() + 60_000;
  while (!done(text)) {
    if (performance.now() > deadline)
      throw new Error(`timed out waiting for live-stream events; got:\n${text}`);
    const { value, done: ended } = await reader.read();
    if (ended) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

describe.skipIf(lacks(requires.ffmpeg))('api/events for a growing live stream', () => {
  it('says each new chunk as the node stores it, in order, then the end', async () => {
    const controller = new AbortController();
    const response = await fetch(`${live.url}api/events`, {
      headers: { Authorization: `Bearer ${live.token}` },
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    try {
      await live.node.live.start({ name: 'talk', input: 'testsrc:320x180@15', window: 0 });
      const growing = await readUntil(reader, (text) => streamEvents(text).length >= 3);
      const events = streamEvents(growing);
      expect(events.every((event) => event.video === 'talk' && event.state === 'live')).toBe(true);
      const newest = events.map((event) => event.newest);
      expect(newest).toEqual([...newest].sort((a, b) => a - b));
      expect(newest.at(-1)).toBeGreaterThan(newest[0]!);
      // What it says is what the manifest then lists.
      const manifest = live.node.store.getManifest('talk')!;
      expect(manifest.chunks.at(-1)!.index).toBeGreaterThanOrEqual(newest.at(-1)!);

      await live.node.live.stop('talk');
      const ended = await readUntil(reader, (text) =>
        streamEvents(text).some((event) => event.state !== 'live'),
      );
      expect(streamEvents(ended).at(-1)).toMatchObject({ video: 'talk', state: 'ended' });
    } finally {
      controller.abort();
    }
  }, 120_000);
});
