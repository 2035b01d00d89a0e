import type { SourceBufferFrom } from './feed/take-source-buffer.ts';
import type { Range } from './feed/timeline.ts';

/**
 * A small read-only window into the player for tests and for someone debugging in DevTools:
 * `window.__peerstreamer`. Plain data, refreshed by the player; nothing in it controls anything.
 */
export interface PeerStreamerDebug {
  video: string | null;
  currentTime: number;
  currentChunk: number | null;
  nextChunk: number | null;
  buffered: Range[];
  bufferAhead: number;
  /** From the player mounting to the first decoded frame. */
  firstFrameMs: number | null;
  /** performance.now() of the first decoded frame, for timings that start before the player mounts. */
  firstFrameAt: number | null;
  stalls: { count: number; totalMs: number; starved: number };
  seeks: number;
  quotaEvictions: number;
  /** Whether the player started on a SourceBuffer primed while the library showed (see warm-media). */
  sourceBufferFrom: SourceBufferFrom | null;
  /** The type the <video> warmed for the next click is primed for, once it is (see warm-media). */
  primedFor: string | null;
  errors: string[];
  problem: string | null;
}

declare global {
  interface Window {
    __peerstreamer: PeerStreamerDebug;
  }
}

export function freshDebug(video: string | null): PeerStreamerDebug {
  return {
    video,
    currentTime: 0,
    currentChunk: null,
    nextChunk: null,
    buffered: [],
    bufferAhead: 0,
    firstFrameMs: null,
    firstFrameAt: null,
    stalls: { count: 0, totalMs: 0, starved: 0 },
    seeks: 0,
    quotaEvictions: 0,
    sourceBufferFrom: null,
    primedFor: null,
    errors: [],
    problem: null,
  };
}

window.__peerstreamer = freshDebug(null);

export function debugState(): PeerStreamerDebug {
  return window.__peerstreamer;
}

export function resetDebug(video: string | null): PeerStreamerDebug {
  window.__peerstreamer = freshDebug(video);
  return window.__peerstreamer;
}
