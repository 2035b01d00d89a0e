import { api, type FetchedBytes } from '../api/client.ts';
import { isAbort } from '../api/gateway-error.ts';
import type { ChunkOrigin, MediaManifest } from '../api/types.ts';
import { markFirstFrame } from '../player/marks.ts';
import { BufferWindow } from './buffer-window.ts';
import { ChunkFetches } from './chunk-fetches.ts';
import { unsupportedCodecMessage } from './codec-words.ts';
import type { FeedOptions } from './feed-options.ts';
import { FeedPump } from './feed-pump.ts';
import { AT_START_SECONDS, type FeedVideo } from './feed-video.ts';
import { FeedError, ProblemReport, type Problem } from './problem.ts';
import { appendTo, safeRanges } from './source-buffer-ops.ts';
import { takeSourceBuffer, type SourceBufferFrom } from './take-source-buffer.ts';
import { PLAYER_READ_AHEAD, readAheadPolicy } from '../../../core/shared/read-ahead-policy.js';
import { LiveStreamFollower } from './live-stream-follower.ts';
import { isOngoingLive, windowStart } from './live-stream.ts';
import { bufferAhead, chunkIndexOfTime, nextChunkToAppend, rangesOf, type Range } from './timeline.ts';
import { Wakeup } from './wakeup.ts';

export interface FeedSnapshot {
  currentChunk: number;
  nextChunk: number;
  buffered: Range[];
  bufferAhead: number;
  inFlight: number[];
  bytesByOrigin: Record<ChunkOrigin | 'unknown', number>;
  chunksAppended: number;
  quotaEvictions: number;
  /** Where the SourceBuffer came from (take-source-buffer.ts); null before the start. */
  sourceBufferFrom: SourceBufferFrom | null;
}

/**
 * Feeds one video element from the node: MediaSource + one SourceBuffer, the init segment, then
 * chunks in order from the chunk holding the play head, a bounded read-ahead window, and removal of
 * media far from the play head so memory stays flat however long the video. fMP4 fragments carry
 * absolute timestamps (tfdt), so a chunk appended after a seek lands at its own time with no
 * timestampOffset.
 *
 * The manifest may still be on its way when the feed starts: chunk times are needed to pick the chunk
 * for a resume position and to read ahead by seconds, but not to open the MediaSource, append the
 * init segment, or append chunk 0 for a start at the beginning. So those go first, in parallel with
 * the manifest, and the read-ahead loop starts once it is known.
 */
export class MediaFeed {
  private readonly mediaSource: MediaSource;
  /** Null when the MediaSource came attached. */
  private readonly objectUrl: string | null;
  private readonly lifetime = new AbortController();
  private readonly fetches: ChunkFetches;
  private readonly window: BufferWindow;
  private readonly wakeup = new Wakeup();
  private readonly problems: ProblemReport;
  private readonly pump: FeedPump;
  private sourceBuffer: SourceBuffer | undefined;
  private sourceBufferFrom: SourceBufferFrom | null = null;
  private destroyed = false;
  private initFetch: Promise<FetchedBytes> | undefined;
  private startTime = 0;
  private readonly detach: Array<() => void> = [];
  private readonly manifestReady: Promise<MediaManifest>;
  private readonly manifestListeners = new Set<(manifest: MediaManifest) => void>();

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly info: FeedVideo,
    manifest: MediaManifest | Promise<MediaManifest>,
    private readonly options: FeedOptions = {},
  ) {
    const readAhead = readAheadPolicy(options.readAhead, PLAYER_READ_AHEAD);
    this.window = new BufferWindow(readAhead);
    this.problems = new ProblemReport(options.onProblem);
    this.fetches = new ChunkFetches({
      video: info.name,
      maxInFlight: readAhead.fetchesAtOnce,
      lifetime: this.lifetime.signal,
      problems: this.problems,
      prefetched: options.prefetched,
      events: {
        fetched: (index, data, ms) => {
          if (index === this.pump.firstIndex) markFirstFrame('first-chunk-fetched');
          this.options.onChunk?.({ index, bytes: data.bytes.byteLength, origin: data.origin, ms });
        },
        halted: () => {
          this.pump.halted = true;
        },
        settled: () => this.wakeup.wake(),
      },
    });
    this.mediaSource = options.attached?.mediaSource ?? new MediaSource();
    this.objectUrl = options.attached ? null : URL.createObjectURL(this.mediaSource);
    this.pump = new FeedPump({
      video,
      mediaSource: this.mediaSource,
      fetches: this.fetches,
      window: this.window,
      wakeup: this.wakeup,
      lifetime: this.lifetime.signal,
      failed: (error) => this.failedToFeed(error),
    });
    if (manifest instanceof Promise) {
      this.manifestReady = manifest;
      manifest.then(
        (known) => {
          this.pump.manifest = known;
          this.wakeup.wake();
        },
        // The view that fetched the manifest reports its failure; the feed just never starts reading ahead.
        () => undefined,
      );
    } else {
      this.pump.manifest = manifest;
      this.manifestReady = Promise.resolve(manifest);
    }
  }

  /**
   * Starts fetching the init segment and the first chunks for `startAt`, before anything is attached:
   * the player calls this before video.js builds its UI, so the network and the UI work in parallel.
   */
  prefetch(startAt = 0): void {
    if (this.initFetch !== undefined || this.codecProblem() !== null) return;
    this.startTime = Math.min(Math.max(0, startAt), Math.max(0, this.info.duration - 0.5));
    // A live stream's window may have dropped the start: play from the oldest chunk still listed.
    if (this.pump.manifest?.live !== undefined)
      this.startTime = Math.max(this.startTime, windowStart(this.pump.manifest));
    this.initFetch = this.fetches.fetch(
      api.initUrl(this.info.name),
      'the init segment',
      this.lifetime.signal,
    );
    this.initFetch.catch(() => undefined);
    if (this.pump.manifest !== undefined) {
      this.pump.nextIndex = chunkIndexOfTime(this.pump.manifest.chunks, this.startTime);
      this.pump.firstIndex = this.pump.nextIndex;
      this.pump.scheduleFetches(this.startTime);
    } else if (this.startTime < AT_START_SECONDS && this.info.chunkCount > 0) {
      this.pump.nextIndex = 0;
      this.pump.firstIndex = 0;
      this.fetches.start(0);
    }
  }

  /**
   * Attaches to the element, appends the init segment and resolves; feeding from `startAt` seconds
   * goes on in the background. Rejects with FeedError.
   */
  async start(startAt = 0): Promise<void> {
    const codecProblem = this.codecProblem();
    if (codecProblem !== null) {
      throw new FeedError({
        kind: 'codec',
        title: "This video's codec can't be played here",
        detail: codecProblem,
        retrying: false,
      });
    }
    this.prefetch(startAt);
    const start = this.startTime;
    const init = this.initFetch!;

    const opened =
      this.options.attached?.opened ??
      new Promise<void>((resolve) =>
        this.mediaSource.addEventListener('sourceopen', () => resolve(), { once: true }),
      );
    if (this.objectUrl !== null) this.video.src = this.objectUrl;
    await opened;
    markFirstFrame('sourceopen');
    if (this.destroyed) return;
    if (this.objectUrl !== null) URL.revokeObjectURL(this.objectUrl);
    const taken = await takeSourceBuffer(this.mediaSource, this.info.mimeType, this.options.attached?.primed);
    this.sourceBufferFrom = taken.from;
    if (this.destroyed) return;
    const buffer = taken.buffer;
    this.sourceBuffer = buffer;
    // A live stream still being cut has no end yet: an infinite duration, and its DVR window as the
    // seekable range, set before the start position below (a seek outside `seekable` is dropped).
    if (this.pump.manifest?.live !== undefined) this.pump.syncDuration(buffer);
    else this.mediaSource.duration = this.info.duration;
    const initBytes = (await init).bytes;
    markFirstFrame('init-fetched');
    await appendTo(buffer, initBytes);
    markFirstFrame('init-appended');
    if (this.video.currentTime !== start) this.video.currentTime = start;
    void this.feed(buffer);
  }

  /** Chunk 0 while the manifest is still coming, if that is where playback starts; then the pump. */
  private async feed(buffer: SourceBuffer): Promise<void> {
    try {
      while (
        !this.destroyed &&
        this.pump.manifest === undefined &&
        this.pump.firstIndex === 0 &&
        this.pump.nextIndex === 0
      ) {
        if (!this.fetches.has(0)) break;
        const bytes = this.fetches.bytesOf(0);
        if (bytes !== undefined) {
          await this.pump.appendChunk(buffer, 0, bytes);
          break;
        }
        await this.wakeup.sleep(250);
      }
    } catch (error) {
      this.failedToFeed(error);
      return;
    }
    let manifest: MediaManifest;
    try {
      manifest = await this.manifestReady;
    } catch {
      // The view that asked for the manifest reports why it failed; without it there is nothing to read ahead.
      return;
    }
    try {
      if (this.destroyed) return;
      if (manifest.mimeType !== this.info.mimeType) {
        this.pump.halted = true;
        this.problems.set({
          kind: 'fatal',
          title: 'This video changed while it was opening',
          detail: `It was listed as ${this.info.mimeType} but its manifest says ${manifest.mimeType}. Go back to the library and open it again.`,
          retrying: false,
        });
        return;
      }
      if (manifest.live !== undefined) this.pump.syncDuration(buffer);
      else if (manifest.duration !== this.mediaSource.duration && this.mediaSource.readyState === 'open')
        this.mediaSource.duration = manifest.duration;
      // Where to go on from: past what is buffered at the play head (chunk 0, or nothing yet for a
      // resume position, or wherever a seek before the manifest went).
      const expected = nextChunkToAppend(
        manifest.chunks,
        rangesOf(buffer.buffered),
        this.video.currentTime,
        manifest.duration,
      );
      this.pump.nextIndex = expected;
      if (this.pump.firstIndex < 0) this.pump.firstIndex = this.pump.nextIndex;
    } catch (error) {
      this.failedToFeed(error);
      return;
    }
    this.listen(this.video, 'seeking', () => this.pump.onSeeking(this.sourceBuffer));
    this.listen(this.video, 'timeupdate', () => this.wakeup.wake());
    this.listen(this.video, 'ratechange', () => this.wakeup.wake());
    void this.pump.run(buffer);
    if (isOngoingLive(manifest)) {
      new LiveStreamFollower({
        name: this.info.name,
        manifest,
        lifetime: this.lifetime.signal,
        problems: this.problems,
        onManifest: (next) => this.takeManifest(next),
      }).run();
    }
  }

  /**
   * A live stream's newer manifest: chunks appended since are fetched as the read-ahead reaches
   * them, chunks its window dropped are not, and a play head left behind the window (paused for
   * longer than it) goes on from the oldest chunk still listed.
   */
  private takeManifest(manifest: MediaManifest): void {
    if (this.destroyed) return;
    this.pump.manifest = manifest;
    const time = this.video.currentTime;
    const oldest = windowStart(manifest);
    if (this.sourceBuffer !== undefined && time < oldest) {
      const buffered = rangesOf(this.sourceBuffer.buffered);
      if (time + bufferAhead(buffered, time) < oldest) this.video.currentTime = oldest;
    }
    for (const listener of this.manifestListeners) listener(manifest);
    this.wakeup.wake();
  }

  /** The manifest as the feed last read it (for a live stream, the newest); undefined before it comes. */
  get manifest(): MediaManifest | undefined {
    return this.pump.manifest;
  }

  /** Resolves with the first manifest the feed gets. */
  get firstManifest(): Promise<MediaManifest> {
    return this.manifestReady;
  }

  /** Called with each newer manifest of a live stream; returns the unsubscribe. */
  onManifest(listener: (manifest: MediaManifest) => void): () => void {
    this.manifestListeners.add(listener);
    return () => this.manifestListeners.delete(listener);
  }

  private failedToFeed(error: unknown): void {
    if (this.destroyed || isAbort(error)) return;
    this.problems.set({
      kind: 'decode',
      title: "The browser couldn't decode this video",
      detail: error instanceof Error ? error.message : String(error),
      retrying: false,
    });
  }

  private codecProblem(): string | null {
    return unsupportedCodecMessage(this.info.mimeType, (type) => MediaSource.isTypeSupported(type));
  }

  snapshot(): FeedSnapshot {
    const buffered = this.sourceBuffer && !this.destroyed ? safeRanges(this.sourceBuffer) : [];
    const time = this.video.currentTime;
    return {
      currentChunk:
        this.pump.manifest === undefined
          ? Math.max(0, this.pump.firstIndex)
          : chunkIndexOfTime(this.pump.manifest.chunks, time),
      nextChunk: this.pump.nextIndex,
      buffered,
      bufferAhead: bufferAhead(buffered, time),
      inFlight: this.fetches.inFlight(),
      bytesByOrigin: this.fetches.bytesByOrigin(),
      chunksAppended: this.pump.chunksAppended,
      quotaEvictions: this.window.quotaEvictions,
      sourceBufferFrom: this.sourceBufferFrom,
    };
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.lifetime.abort();
    for (const off of this.detach) off();
    this.fetches.clear();
    this.wakeup.wake();
    if (this.objectUrl !== null) URL.revokeObjectURL(this.objectUrl);
  }

  private listen(target: EventTarget, type: string, handler: () => void): void {
    target.addEventListener(type, handler);
    this.detach.push(() => target.removeEventListener(type, handler));
  }

  /**
   * Where problems go from now on, replacing `onProblem`; told the current one at once. For a feed
   * started before its player existed (a library click), which the player adopts when it mounts.
   */
  reportProblemsTo(handler: (problem: Problem | null) => void): void {
    this.problems.reportTo(handler);
  }
}
