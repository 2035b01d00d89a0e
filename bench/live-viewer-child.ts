/**
 * One headless live viewer in a process of its own, as a person's player is: watchLive (the player's
 * model) through one node until the parent says leave or the stream ends. A viewer sharing the
 * bench's process would time its chunks by that process's event loop, which also drives Chromium;
 * one pause there delayed every viewer's arrivals at once and read as a stall in each.
 *
 * Spawned by live-tree.ts with an IPC channel: `node dist/bench/live-viewer-child.js <address> <stream>`.
 * Message in: leave. Messages out: playing (its first chunk shown), then once, before it exits,
 * watched (what it showed, and its own event-loop delay, so a stall can be told from a pause of the
 * viewer itself).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PeerClient } from '../core/net/client.js';
import { watchLive } from '../core/stream/live-watcher.js';
import type { PlayoutSample } from '../core/stream/live-playout.js';

export interface WatchedMessage {
  type: 'watched';
  joinedAt: number;
  ending: string;
  shown: PlayoutSample[];
  loopP99Ms: number;
  loopMaxMs: number;
}

const [address, stream] = process.argv.slice(2);
if (!process.send || address === undefined || stream === undefined) {
  throw new Error('live-viewer-child.js is started by the live bench: <address> <stream>, with IPC.');
}

const leave = new AbortController();
process.on('message', (message: { type?: string }) => {
  if (message.type === 'leave') leave.abort();
});
// The parent gone (a crashed bench) is a leave too; the channel closing is how it shows.
process.on('disconnect', () => leave.abort());

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const client = new PeerClient({ timeoutMs: 10_000 });
try {
  let playing = false;
  const result = await watchLive(client, address, stream, {
    signal: leave.signal,
    onChunk: () => {
      if (!playing) process.send?.({ type: 'playing' });
      playing = true;
    },
  });
  loop.disable();
  const watched: WatchedMessage = {
    type: 'watched',
    joinedAt: result.joinedAt,
    ending: result.ending,
    shown: [...result.playout.shown],
    loopP99Ms: loop.percentile(99) / 1e6,
    loopMaxMs: loop.max / 1e6,
  };
  await new Promise<void>((resolve) => process.send!(watched, () => resolve()));
} finally {
  await client.close();
  // Gone already when the parent went first; disconnecting again would throw as the viewer exits.
  if (process.connected) process.disconnect();
}
