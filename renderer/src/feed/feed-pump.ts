import type { MediaManifest } from '../api/types.ts';
import { readAheadEnd } from '../../../core/shared/read-ahead-policy.js';
import { markFirstFrame } from '../player/marks.ts';
import type { BufferWindow } from './buffer-window.ts';
import type { ChunkFetches } from './chunk-fetches.ts';
import { appendTo, isQuotaExceeded } from './source-buffer-ops.ts';
import { isOngoingLive, windowStart } from './live-stream.ts';
import { firstListed, nextChunkToAppend, rangesOf } from './timeline.ts';
import type { Wakeup } from './wakeup.ts';

export interface FeedPumpParts {
  video: HTMLVideoElement;
  mediaSource: MediaSource;
  fetches: ChunkFetches;
  window: BufferWindow;
  wakeup: Wakeup;
  /** Aborted when the feed is destroyed: the pump stops with it. */
  lifetime: AbortSignal;
  /** An append or removal the browser refused: the video cannot be played on. */
  failed(error: unknown): void;
}

/**
 * Keeps the SourceBuffer fed: appends chunks in order from the one the play head needs, keeps the
 * fetches within the read-ahead window, removes media far from the play head, follows seeks, and
 * ends the stream after the last chunk. One loop does every SourceBuffer operation, so no two ever
 * overlap.
 *
 * Chunks are counted by their index, not their place in the list: a live stream's list starts
 * wherever its DVR window has got to and slides as it grows (timeline.ts firstListed). While a live
 * stream is still being cut its end is not the end: the MediaSource's duration is infinite, its
 * seekable range is the window, and the pump waits for the next manifest instead of ending.
 */
export class FeedPump {
  /** The next chunk to append. */
  nextIndex = 0;
  /** The chunk playback starts from, for the first-frame timing marks. */
  firstIndex = -1;
  chunksAppended = 0;
  /** Set when a chunk failed in a way retrying cannot fix (e.g. the token was refused). */
  halted = false;
  /** Known once the manifest arrives; everything that needs chunk times waits for it. */
  manifest: MediaManifest | undefined;
  private appending: number | null = null;
  /** The live seekable range last set, so it is set again only when the window moves. */
  private liveRange: readonly [number, number] | null = null;

  constructor(private readonly parts: FeedPumpParts) {}

  async appendChunk(buffer: SourceBuffer, index: number, bytes: ArrayBuffer): Promise<void> {
    this.appending = index;
    try {
      await appendTo(buffer, bytes);
    } finally {
      this.appending = null;
    }
    if (this.nextIndex === index) {
      if (this.chunksAppended === 0) markFirstFrame('first-chunk-appended');
      this.parts.fetches.delete(index);
      this.nextIndex = index + 1;
      this.chunksAppended++;
    }
  }

  /** Runs until the feed is destroyed or an operation fails; needs the manifest. */
  async run(buffer: SourceBuffer): Promise<void> {
    while (!this.parts.lifetime.aborted) {
      let worked: boolean;
      try {
        worked = await this.step(buffer);
      } catch (error) {
        this.parts.failed(error);
        return;
      }
      if (!worked) await this.parts.wakeup.sleep(250);
    }
  }

  private async step(buffer: SourceBuffer): Promise<boolean> {
    if (this.halted) return false;
    const { video, mediaSource, fetches } = this.parts;
    const time = video.currentTime;
    this.scheduleFetches(time);
    if (await this.trim(buffer, time, false)) return true;

    const chunks = this.manifest!.chunks;
    this.syncDuration(buffer);
    // Chunks the DVR window dropped are no longer fetched.
    if (this.nextIndex < firstListed(chunks)) this.nextIndex = firstListed(chunks);
    if (this.nextIndex >= firstListed(chunks) + chunks.length) {
      if (
        !isOngoingLive(this.manifest) &&
        mediaSource.readyState === 'open' &&
        !buffer.updating &&
        fetches.size === 0
      ) {
        mediaSource.endOfStream();
      }
      return false;
    }
    const bytes = fetches.bytesOf(this.nextIndex);
    if (bytes === undefined) return false;
    try {
      // A seek during the append moves nextIndex elsewhere; the chunk's bytes are then superseded.
      await this.appendChunk(buffer, this.nextIndex, bytes);
    } catch (error) {
      if (!isQuotaExceeded(error)) throw error;
      // The browser's buffer is full: drop what is far from the play head, read ahead less, retry.
      this.parts.window.shrink();
      await this.trim(buffer, video.currentTime, true);
    }
    return true;
  }

  /** BufferWindow.trim, then a step back to media it removed ahead of the play head. */
  private async trim(buffer: SourceBuffer, time: number, hard: boolean): Promise<boolean> {
    if (!(await this.parts.window.trim(buffer, time, hard))) return false;
    // A removal (or the browser's own eviction before a QuotaExceededError) may have taken media the
    // feed already appended ahead of the play head; step back so it is fetched and appended again.
    const now = this.parts.video.currentTime;
    const expected = nextChunkToAppend(
      this.manifest!.chunks,
      rangesOf(buffer.buffered),
      now,
      this.manifest!.duration,
    );
    if (expected < this.nextIndex) this.nextIndex = expected;
    return true;
  }

  scheduleFetches(time: number): void {
    if (this.halted || this.parts.lifetime.aborted || this.manifest === undefined) return;
    const chunks = this.manifest.chunks;
    const from = Math.max(this.nextIndex, firstListed(chunks));
    const end = readAheadEnd(chunks, from, this.parts.window.ahead, time);
    this.parts.fetches.schedule(from, end);
  }

  /**
   * The MediaSource's duration as the manifest has it: infinite while a live stream is being cut,
   * with its DVR window as the seekable range (so the controls show a live seek bar over it), and
   * the stream's length once it has ended. Only between SourceBuffer operations.
   */
  syncDuration(buffer: SourceBuffer): void {
    const { mediaSource } = this.parts;
    const manifest = this.manifest;
    if (manifest === undefined || mediaSource.readyState !== 'open' || buffer.updating) return;
    // An on-demand video's duration is set once, at the start (MediaFeed).
    if (manifest.live === undefined) return;
    if (isOngoingLive(manifest)) {
      if (mediaSource.duration !== Infinity) mediaSource.duration = Infinity;
      const range = [windowStart(manifest), manifest.duration] as const;
      if (this.liveRange?.[0] !== range[0] || this.liveRange[1] !== range[1]) {
        mediaSource.setLiveSeekableRange(range[0], range[1]);
        this.liveRange = range;
      }
      return;
    }
    if (this.liveRange !== null) {
      mediaSource.clearLiveSeekableRange();
      this.liveRange = null;
    }
    // Never below what is buffered: the browser refuses a duration that would cut appended media.
    const ranges = rangesOf(buffer.buffered);
    const duration = Math.max(manifest.duration, ranges.at(-1)?.[1] ?? 0);
    if (mediaSource.duration !== duration) mediaSource.duration = duration;
  }

  onSeeking(buffer: SourceBuffer | undefined): void {
    const manifest = this.manifest;
    if (buffer === undefined || manifest === undefined) return;
    const time = this.parts.video.currentTime;
    const target = nextChunkToAppend(manifest.chunks, rangesOf(buffer.buffered), time, manifest.duration);
    if (target !== this.nextIndex) {
      // An append of a chunk from the old position only delays the new one: cut it short. (abort()
      // is only allowed during an append, not during a removal.)
      if (buffer.updating && this.appending !== null) buffer.abort();
      this.nextIndex = target;
    }
    this.scheduleFetches(time);
    this.parts.wakeup.wake();
  }
}
