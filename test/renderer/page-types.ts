/**
 * The few DOM shapes that code passed to page.evaluate uses. The project's tsconfig type-checks tests
 * with Node's lib only (core must never see DOM globals), so callbacks that run in the page reach the
 * page through `globalThis as unknown as PageWindow` instead of `window`/`document`.
 */
export interface PageVideo {
  currentTime: number;
  duration: number;
  paused: boolean;
  ended: boolean;
  seeking: boolean;
  readyState: number;
  playbackRate: number;
  src: string;
  error: { code: number; message: string } | null;
  getVideoPlaybackQuality(): { totalVideoFrames: number; droppedVideoFrames: number };
  play(): Promise<void>;
  pause(): void;
  remove(): void;
  requestVideoFrameCallback(callback: (now: number, frame: { mediaTime: number }) => void): number;
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** What the renderer exposes as window.__peerstreamer (renderer/src/debug.ts). */
export interface PageDebug {
  video: string | null;
  currentTime: number;
  currentChunk: number | null;
  buffered: Array<[number, number]>;
  bufferAhead: number;
  firstFrameMs: number | null;
  firstFrameAt: number | null;
  stalls: { count: number; totalMs: number; starved: number };
  seeks: number;
  sourceBufferFrom: 'primed' | 'switched' | 'new' | null;
  primedFor: string | null;
  errors: string[];
  problem: string | null;
}

interface PageElement {
  getAttribute(name: string): string | null;
}

export interface PageWindow {
  document: {
    querySelector(selector: 'video'): PageVideo | null;
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): { length: number };
    createElement(tag: 'video'): PageVideo;
    body: { appendChild(node: PageVideo): void };
    documentElement: { scrollWidth: number };
  };
  location: { hash: string };
  innerWidth: number;
  __peerstreamer: PageDebug;
  requestAnimationFrame(callback: () => void): number;
}
