import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { PeerClient } from '../net/client.js';
import { chunkAtTime, type Manifest } from '../shared/manifest.js';
import type { ChunkOrigin } from '../shared/api-types.js';
import { PeerStreamerError } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';

export interface PlayOptions {
  startSeconds?: number;
  inFlight?: number;
  streamId: string;
  timeoutMs?: number;
  /** Returns true once the consumer went away (a closed pipe): stop quietly. */
  stopped?: () => boolean;
  /** After each chunk is written; `origin` is where the node got it, when the node says. */
  onChunk?: (index: number, total: number, bytes: number, origin: ChunkOrigin | undefined) => void;
}

/**
 * Streams a video through a node, as the original video_streamer.js did, but with several requests
 * in flight on one stream (the node answers them in order) and every chunk checked against the
 * manifest. Writes the init segment (fmp4) and chunks from the start chunk to the end.
 */
export async function playStream(
  client: PeerClient,
  address: string,
  video: string,
  out: Writable,
  options: PlayOptions,
): Promise<{ manifest: Manifest; chunks: number; bytes: number }> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const { reply } = await client.request(address, { type: 'get-manifest', video }, { timeoutMs });
  const manifest = reply.manifest;
  if (manifest.kind === 'legacy' && (options.startSeconds ?? 0) > 0) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${JSON.stringify(video)} is a legacy byte-split video: it plays only from the start; drop --start.`,
    );
  }
  const first = chunkAtTime(manifest, options.startSeconds ?? 0);
  let bytes = 0;
  const write = async (data: Buffer): Promise<void> => {
    bytes += data.length;
    if (out.write(data)) return;
    // Both waits are cancelled once one fires, or every slow write would leave listeners behind.
    const settled = new AbortController();
    try {
      await Promise.race([
        once(out, 'drain', { signal: settled.signal }),
        once(out, 'close', { signal: settled.signal }),
      ]);
    } finally {
      settled.abort();
    }
  };
  const fetchChunk = async (index: number): Promise<{ body: Buffer; origin: ChunkOrigin | undefined }> => {
    const expected = index === -1 ? manifest.init! : manifest.chunks[index]!;
    const { reply: got, body } = await client.request(
      address,
      { type: 'get', video, index, fromChild: true, streamId: options.streamId },
      { timeoutMs },
    );
    if (body.length !== expected.size || sha256Hex(body) !== expected.sha256) {
      throw new PeerStreamerError(
        'INVALID_CHECKSUM',
        `${address} sent chunk ${index} of ${JSON.stringify(video)} with bytes that do not match the manifest.`,
        { video, index },
      );
    }
    return { body, origin: got.origin };
  };
  const total = manifest.chunks.length;
  const window = Math.max(1, options.inFlight ?? 4);
  const pending = new Map<number, Promise<{ body: Buffer; origin: ChunkOrigin | undefined }>>();
  let next = first;
  const fill = (upTo: number): void => {
    while (next < total && next < upTo) {
      const request = fetchChunk(next);
      request.catch(() => undefined);
      pending.set(next, request);
      next += 1;
    }
  };
  // The init segment and the first chunks are asked for together: on a cold path each crosses the
  // tree, and one after the other they would add up.
  const init = manifest.kind === 'fmp4' ? fetchChunk(-1) : undefined;
  init?.catch(() => undefined);
  fill(first + window);
  if (init) await write((await init).body);
  for (let index = first; index < total; index++) {
    if (options.stopped?.()) break;
    fill(index + window);
    const { body, origin } = await pending.get(index)!;
    pending.delete(index);
    await write(body);
    options.onChunk?.(index, total, bytes, origin);
  }
  return { manifest, chunks: total - first, bytes };
}
