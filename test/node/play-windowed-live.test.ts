/**
 * A live stream whose DVR window has slid lists chunks 40 to 59: `peerstreamer play` and the node's
 * stream for it (StreamSessions, ReadAhead) walk that list by index, from where the play starts to
 * the last chunk listed, and check every chunk against the entry of its index. Real source node with
 * a real store in a temp dir, real PeerClient over ZeroMQ.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { PeerClient } from '../../core/net/client.js';
import type { PeerNode } from '../../core/node/peer-node.js';
import { playStream } from '../../core/stream/play-client.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';
import { storeWindowedLive, windowedLive, type WindowedLive } from '../helpers/windowed-live.js';
import { openStore } from '../store/helpers.js';
import { startNode } from './in-process.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  cleanupTempDirs();
});

const live = windowedLive('cam');

/** A source node holding the stream as its source does. */
async function sourceOf(stream: WindowedLive): Promise<PeerNode> {
  const dir = tempDir('windowed-source');
  const store = await openStore(dir);
  await storeWindowedLive(store, stream);
  store.close();
  const node = await startNode({ name: 'src', store: dir });
  cleanups.push(() => node.stop());
  return node;
}

function client(): PeerClient {
  const made = new PeerClient({ timeoutMs: 5_000 });
  cleanups.push(() => made.close());
  return made;
}

/** Plays `video` through `node` into memory: the bytes written and the chunks seen, in order. */
async function play(node: PeerNode, startSeconds?: number) {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (part: Buffer) => parts.push(part));
  const seen: Array<[number, number]> = [];
  const result = await playStream(client(), node.address, 'cam', out, {
    streamId: `play-${startSeconds ?? 0}`,
    ...(startSeconds === undefined ? {} : { startSeconds }),
    onChunk: (index, end) => seen.push([index, end]),
  });
  return { result, bytes: Buffer.concat(parts), seen };
}

describe('playing a live stream whose window has slid (chunks 40-59)', () => {
  it('plays the init segment and every chunk listed, by index, and the node ends its stream', async () => {
    const node = await sourceOf(live);
    const { result, bytes, seen } = await play(node);
    expect(result.chunks).toBe(20);
    expect(seen.map(([index]) => index)).toEqual(Array.from({ length: 20 }, (_, i) => 40 + i));
    expect(seen.every(([, end]) => end === 60)).toBe(true);
    const expected = [live.init, ...live.manifest.chunks.map(({ index }) => live.chunkBytes(index))];
    expect(bytes.equals(Buffer.concat(expected))).toBe(true);
    expect(node.stats().streamsActive).toBe(0);
  });

  it('starts at the chunk holding --start on the stream’s timeline', async () => {
    const node = await sourceOf(live);
    const { result, seen } = await play(node, 55.5);
    expect(seen.map(([index]) => index)).toEqual([55, 56, 57, 58, 59]);
    expect(result.chunks).toBe(5);
    expect(node.stats().streamsActive).toBe(0);
  });

  it('names the window’s seconds for a --start past the end', async () => {
    const node = await sourceOf(live);
    await expect(play(node, 60)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/use a value from 40 to 59$/),
    });
  });
});
