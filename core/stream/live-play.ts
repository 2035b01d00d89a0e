import type { Writable } from 'node:stream';
import { writeOut } from './write-out.js';
import type { PeerClient } from '../net/client.js';
import type { Manifest } from '../shared/manifest.js';
import { percentile } from '../util/percentile.js';
import type { PlayoutSample } from './live-playout.js';
import { watchLive, type LiveWatchResult } from './live-watcher.js';

export interface LivePlayOptions {
  checkManifest?: (manifest: Manifest) => void;
  /** Returns true once the consumer went away (a closed pipe): the watch then ends quietly. */
  stopped?: () => boolean;
  /** Ends the watch (SIGINT, a time limit). */
  signal?: AbortSignal;
  /** After each chunk is written, with when the player model shows it. */
  onChunk?: (index: number, bytes: number, shown: PlayoutSample) => void;
}

/** How a live watch went, in the figures a person (or a test bed) reads. */
export interface LivePlaySummary {
  result: LiveWatchResult;
  chunks: number;
  /** Capture to display, seconds: the median and the 95th percentile over the chunks shown. */
  behindP50: number | null;
  behindP95: number | null;
}

/**
 * `peerstreamer play` of a live stream: the init segment then each chunk as it comes, from the live
 * edge on, into `out` (mpv or ffplay reading a pipe play it live), until the stream ends, the
 * consumer goes away, or `signal` aborts.
 */
export async function playLive(
  client: PeerClient,
  address: string,
  video: string,
  out: Writable,
  options: LivePlayOptions = {},
): Promise<LivePlaySummary> {
  const leave = new AbortController();
  const onAbort = (): void => leave.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let bytes = 0;
  let chunks = 0;
  const write = (data: Buffer): Promise<void> => {
    bytes += data.length;
    return writeOut(out, data);
  };
  try {
    const result = await watchLive(client, address, video, {
      signal: leave.signal,
      ...(options.checkManifest ? { checkManifest: options.checkManifest } : {}),
      onInit: write,
      onChunk: async (chunk, body, shown) => {
        if (options.stopped?.()) return leave.abort();
        await write(body);
        chunks += 1;
        options.onChunk?.(chunk.index, bytes, shown);
      },
    });
    const behind = result.playout.shown.flatMap((shown) =>
      shown.behindSeconds === null ? [] : [shown.behindSeconds],
    );
    return {
      result,
      chunks,
      behindP50: behind.length > 0 ? percentile(behind, 50) : null,
      behindP95: behind.length > 0 ? percentile(behind, 95) : null,
    };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
