/**
 * Read-ahead, in one place: how far ahead of its position a reader fetches (in seconds of media),
 * how many fetches it keeps going at once, and how much it keeps behind. Every reader takes its
 * defaults and its window from here: the player's feed (renderer/src/feed), a node's stream sessions
 * (`ReadAhead`, for play clients), a node's read-ahead for its own player (`Prefetcher`), and the
 * play client (`peerstreamer play`). The renderer imports this module, so it uses nothing of Node's.
 *
 * Windows are in seconds because that is what a viewer waits on; chunks differ in length (a cut
 * ends on a keyframe, and `--chunk-duration` runs from 0.5 s to 60 s), so a count of chunks means
 * a different stretch of video for every video. `readAheadEnd` turns seconds into chunks with the
 * manifest's chunk start times.
 */
import type { ChunkEntry } from './manifest.js';
import { endIndex, firstIndex, positionOf } from './segments.js';

export interface ReadAheadPolicy {
  /** Seconds of media fetched ahead of the read position. */
  readonly aheadSeconds: number;
  /** Fetches in flight at once. */
  readonly fetchesAtOnce: number;
  /** Seconds of media kept behind the read position (for seeks back); older media is let go. */
  readonly behindSeconds: number;
}

/**
 * The player in the browser (MediaFeed).
 * - 30 s ahead: rides out failovers many times over (a slow or dead holder costs a peer timeout,
 *   1.5 s, before the next one is asked), and with 30 s behind stays under Chromium's 150 MB quota
 *   of a video SourceBuffer up to about 20 Mbit/s. Past that the browser refuses an append and
 *   `BufferWindow` halves the distance ahead (to no less than 6 s).
 * - 3 at once: in a plain browser the gateway is one loopback host, and browsers open 6 HTTP/1.1
 *   connections per host; 3 leaves the rest for the manifest, posters, stats and the live-update
 *   stream, which holds one open. The node reads ahead beyond each request (NODE_READ_AHEAD), so
 *   more parallel requests would only compete with the chunk the player needs next.
 * - 30 s behind: "back 10 s", pressed a few times, replays from memory without a fetch.
 */
export const PLAYER_READ_AHEAD: ReadAheadPolicy = { aheadSeconds: 30, fetchesAtOnce: 3, behindSeconds: 30 };

/**
 * A node reading ahead for a play stream (`StreamSessions`) or for its own player (`Prefetcher`);
 * `--read-ahead` and `--fetch-concurrency` replace the first two numbers.
 * - 20 s ahead: the ten chunks of 2 s (the ingest's default then) that the node read ahead when its
 *   window was counted in chunks. A stream pins what it reads ahead until it hands it out, so this bounds a
 *   stream's pins (7.5 MB at 3 Mbit/s); for the local player it comes on top of the player's own 30 s,
 *   as it runs from the player's latest request.
 * - 4 at once: enough that a stream outruns playback when each chunk costs a round trip through a
 *   master, few enough that holders are not flooded by one viewer. The chunk being waited for always
 *   starts, even when the other fetches fill every slot (`ReadAhead`).
 * - Nothing behind: a chunk handed out is unpinned and stays in the store as cache, which the store's
 *   LRU eviction governs, not the read-ahead.
 */
export const NODE_READ_AHEAD: ReadAheadPolicy = { aheadSeconds: 20, fetchesAtOnce: 4, behindSeconds: 0 };

/**
 * Requests `peerstreamer play` keeps in flight on its stream (`--in-flight`). The node it streams
 * through does the reading ahead (NODE_READ_AHEAD) and answers in order, so the client needs only
 * enough requests waiting there to hide its round trip to the node: the next answer is on its way
 * while one is written.
 */
export const PLAY_CLIENT_FETCHES_AT_ONCE = 4;

/**
 * A chunk without a start time (a legacy byte-split video) counts as 2 s long, the ingest's default
 * chunk duration when windows came to be in seconds (1 s now; a legacy chunk's playing time is a
 * guess either way), so a legacy video is read ten chunks ahead by default, as before.
 */
export const UNTIMED_CHUNK_SECONDS = 2;

/**
 * `given` over `defaults`, each number clamped to what a reader can use: NaN means not given (the
 * default); seconds are at least 0; fetches at once are a whole number, at least 1 (a reader that
 * fetched nothing would never play). Infinity stays: no limit.
 */
export function readAheadPolicy(
  given: Partial<ReadAheadPolicy> | undefined,
  defaults: ReadAheadPolicy,
): ReadAheadPolicy {
  return {
    aheadSeconds: secondsOr(given?.aheadSeconds, defaults.aheadSeconds),
    fetchesAtOnce: fetchesAtOnce(given?.fetchesAtOnce, defaults.fetchesAtOnce),
    behindSeconds: secondsOr(given?.behindSeconds, defaults.behindSeconds),
  };
}

/** `count` as a number of fetches at once: whole, at least 1; NaN or undefined is `fallback`. */
export function fetchesAtOnce(count: number | undefined, fallback: number): number {
  const value = count === undefined || Number.isNaN(count) ? fallback : count;
  return Math.max(1, Math.floor(value));
}

function secondsOr(seconds: number | undefined, fallback: number): number {
  const value = seconds === undefined || Number.isNaN(seconds) ? fallback : seconds;
  return Math.max(0, value);
}

/** What the window arithmetic reads of a chunk: its index (lists may start above 0) and start. */
export type TimedChunks = ReadonlyArray<Pick<ChunkEntry, 'index' | 'start'>>;

/**
 * When chunk `index` (one the list has) starts, in seconds; an untimed chunk by its index
 * (UNTIMED_CHUNK_SECONDS each: legacy videos are never windowed, so their index is their place).
 */
function startOf(chunks: TimedChunks, index: number): number {
  return chunks[positionOf(chunks, index)]!.start ?? index * UNTIMED_CHUNK_SECONDS;
}

/**
 * The read-ahead window as chunk indexes: a reader at chunk `from` wants chunks `from` up to (not
 * including) the index returned. That is the chunk holding the read position, wanted however short
 * the window, and every chunk after it that starts less than `aheadSeconds` after `fromSeconds`.
 * Indexes, not positions: a live stream's list starts where its DVR window has got to
 * (core/shared/segments.ts).
 *
 * `fromSeconds` is where reading is: the player's play head, or by default the start of chunk
 * `from` (a node's stream, which knows chunks, not times). The player's `from` is the next chunk to
 * append, which may start past the play head (the media before it is buffered); it is then wanted
 * only if it starts within the window.
 *
 * Clamped: `from` before the first chunk listed or NaN reads from the first, past the end gives an
 * empty window (the end); `aheadSeconds` below 0 or NaN is 0 (the chunk holding the read position
 * alone); NaN `fromSeconds` is the start of chunk `from`.
 */
export function readAheadEnd(
  chunks: TimedChunks,
  from: number,
  aheadSeconds: number,
  fromSeconds?: number,
): number {
  const listed = firstIndex(chunks);
  const stop = endIndex(chunks);
  const first = Number.isNaN(from) ? listed : Math.max(listed, Math.floor(from));
  if (first >= stop) return stop;
  const at = fromSeconds === undefined || Number.isNaN(fromSeconds) ? startOf(chunks, first) : fromSeconds;
  const horizon = at + secondsOr(aheadSeconds, 0);
  let end = first;
  if (startOf(chunks, end) <= at) end += 1;
  while (end < stop && startOf(chunks, end) < horizon) end += 1;
  return end;
}

/**
 * How soon a reader at chunk `from` needs chunk `index`, in milliseconds of media between their
 * starts: 0 for the chunk it is at (or one behind it), and for either outside the list. Sent with
 * each fetch (`get`'s `dueInMs`), so a node sending under an upload limit sends what is due soonest
 * first: a newcomer's first chunk before a neighbour's read-ahead.
 */
export function dueInMs(chunks: TimedChunks, from: number, index: number): number {
  if (index <= from || index >= endIndex(chunks) || from < firstIndex(chunks)) return 0;
  return Math.round(Math.max(0, startOf(chunks, index) - startOf(chunks, from)) * 1000);
}
