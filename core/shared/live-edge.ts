/**
 * Where a viewer of a live stream plays, in one place: where it starts (the live edge less a small
 * target buffer), how far behind the live edge it is (wall time from capture to display), and how
 * it catches up after a stall (a slightly faster playback rate, not a jump that would stall it again).
 * The player, the play client and the benchmarks use it; the renderer imports it, so it uses
 * nothing of Node's.
 */
import type { ChunkEntry } from './manifest.js';

type TimedChunk = Pick<ChunkEntry, 'start' | 'duration'>;
type DatedChunk = TimedChunk & { captureTime?: number };

/**
 * How far behind the newest chunk's end a viewer aims to play, in seconds of media. Chunks are cut
 * at 1 s and a chunk is announced once whole, so the newest frame is about a second old when it is
 * listed; 2 s more is enough buffer to fetch the next chunk through two levels of home uplinks
 * (issue 12's target: 3 s from capture to display at p50 for a level-2 viewer).
 */
export const LIVE_TARGET_SECONDS = 2;

/**
 * How old the newest listed frame is when a viewer looks, at most: chunks are listed whole, a chunk
 * after their first frame. A viewer playing `target` behind the edge is this much more behind live.
 */
const EDGE_AGE_SECONDS = 1;
/** Behind the target by less than this, the viewer plays at normal speed: no visible hurry. */
const AT_TARGET_SLACK_SECONDS = 0.5;
/** Playback rates while catching up: audio pitch barely moves at 5 %, and 10 % clears a stall fast. */
const GENTLE_RATE = 1.05;
const FASTER_RATE = 1.1;
/** Behind the target by more than this, the faster rate. */
const FAR_BEHIND_SECONDS = 3;

/**
 * How far short of the target a chunk's start may fall and still be where a viewer starts. Chunk
 * boundaries fall on frame times, so a start "2 s back" is 1.9999 s or 2.0001 s back as often as
 * 2: without this, half the viewers would start a whole chunk (a second) further behind live.
 */
const START_SLACK_SECONDS = 0.25;

/**
 * The position (in `chunks`) of the chunk a viewer joining a live stream starts at: the last one
 * that starts about `target` seconds (START_SLACK_SECONDS short at most) before the newest chunk's
 * end, so that many seconds are there to buffer. The first chunk listed when the stream is shorter
 * than the target; 0 for an empty list.
 */
export function liveStartIndex(chunks: readonly TimedChunk[], target = LIVE_TARGET_SECONDS): number {
  const newest = chunks.at(-1);
  if (newest === undefined) return 0;
  const edge = (newest.start ?? 0) + (newest.duration ?? 0);
  for (let position = chunks.length - 1; position >= 0; position--) {
    if ((chunks[position]!.start ?? 0) <= edge - target + START_SLACK_SECONDS) return position;
  }
  return 0;
}

/**
 * How far behind live the frame at `playheadSeconds` (media time) is at `nowMs`: now less when that
 * frame was captured, in seconds. Null when the chunk holding it carries no capture time, or the
 * play head is outside the chunks listed.
 */
export function secondsBehindLive(
  chunks: readonly DatedChunk[],
  playheadSeconds: number,
  nowMs: number,
): number | null {
  let holding: DatedChunk | undefined;
  for (const chunk of chunks) {
    const start = chunk.start ?? 0;
    if (start > playheadSeconds) break;
    holding = chunk;
  }
  if (holding?.captureTime === undefined) return null;
  const intoChunk = playheadSeconds - (holding.start ?? 0);
  if (intoChunk > (holding.duration ?? 0) + 0.5) return null;
  return Math.max(0, (nowMs - holding.captureTime) / 1000 - intoChunk);
}

/**
 * The playback rate that brings a viewer `behindSeconds` behind live (secondsBehindLive) back to
 * `target` behind the edge: 1 within half a second of it (the edge's own age allowed for), 5 %
 * faster past that, 10 % faster when more than 3 s behind it. Never
 * slower than 1: a viewer ahead of its target (it joined with little buffer) plays on and the
 * buffer fills as chunks come.
 */
export function catchUpRate(behindSeconds: number, target = LIVE_TARGET_SECONDS): number {
  const late = behindSeconds - target - EDGE_AGE_SECONDS;
  if (!(late > AT_TARGET_SLACK_SECONDS)) return 1;
  return late > FAR_BEHIND_SECONDS ? FASTER_RATE : GENTLE_RATE;
}
