import { api, getBytes, type FetchedBytes } from '../api/client.ts';
import { GatewayFailure, isAbort } from '../api/gateway-error.ts';
import type { ChunkOrigin, MediaManifest } from '../api/types.ts';
import { markFirstFrame } from '../player/marks.ts';
import { unsupportedCodecMessage } from './codec-words.ts';
import { problemFromFailure, type Problem } from './problem.ts';
import { withRetry } from './retry.ts';
import { appendTo, isQuotaExceeded, removeFrom } from './source-buffer-ops.ts';
import { chunkIndexAt } from '../../../core/shared/manifest.js';
import { bufferAhead, nextChunkToAppend, rangesOf, removableSpans, type Range } from './timeline.ts';

export interface FeedOptions {
  /** Seconds of media to keep fetched and appended ahead of the play head. */
  readAheadSeconds?: number;
  /** Seconds kept behind the play head (for small seeks back); older media is removed. */
  keepBehindSeconds?: number;
  /** Chunk fetches in flight at once. */
  maxInFlight?: number;
  /** Requests already under way (e.g. from the click that opened the video), by URL: taken, not repeated. */
  prefetched?: Map<string, Promise<FetchedBytes>>;
  /**
   * A MediaSource already attached to the video element (warmed before the click), used as is, and
   * perhaps a SourceBuffer on it primed with another video's init segment, taken over.
   */
  attached?: {
    mediaSource: MediaSource;
    opened: Promise<void>;
    primed?: Promise<{ buffer: SourceBuffer; mimeType: string } | null> | null;
  };
  onProblem?(problem: Problem | null): void;
  onChunk?(event: { index: number; bytes: number; origin: ChunkOrigin | null; ms: number }): void;
}

export interface FeedSnapshot {
  currentChunk: number;
  nextChunk: number;
  buffered: Range[];
  bufferAhead: number;
  inFlight: number[];
  bytesByOrigin: Record<ChunkOrigin | 'unknown', number>;
  chunksAppended: number;
  quotaEvictions: number;
  /**
   * Where the SourceBuffer came from: primed before the click with this video's type ('primed') or
   * another's ('switched', via changeType), or added at the start ('new'); null before the start.
   */
  sourceBufferFrom: SourceBufferFrom | null;
}

export type SourceBufferFrom = 'primed' | 'switched' | 'new';

interface PendingChunk {
  controller: AbortController;
  data?: FetchedBytes;
  failed?: unknown;
}

/**
 * What the feed needs before the manifest arrives: enough to open the MediaSource with the right
 * SourceBuffer and fetch the init segment and chunk 0 (a library entry has all of it).
 */
export interface FeedVideo {
  name: string;
  mimeType: string;
  duration: number;
  chunkCount: number;
}

export function feedVideoOf(manifest: MediaManifest): FeedVideo {
  return {
    name: manifest.name,
    mimeType: manifest.mimeType,
    duration: manifest.duration,
    chunkCount: manifest.chunks.length,
  };
}

/**
 * Below this start time the first chunk is chunk 0 without asking the manifest: chunks end on
 * keyframes, so none is this short. A wrong guess costs one fetch; the manifest corrects the index.
 */
export const AT_START_SECONDS = 0.25;

export class FeedError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.name = 'FeedError';
  }
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
  private readonly readAhead: number;
  private readonly keepBehind: number;
  private readonly maxInFlight: number;
  private readonly mediaSource: MediaSource;
  /** Null when the MediaSource came attached. */
  private readonly objectUrl: string | null;
  private readonly lifetime = new AbortController();
  private readonly pending = new Map<number, PendingChunk>();
  private sourceBuffer: SourceBuffer | undefined;
  private sourceBufferFrom: SourceBufferFrom | null = null;
  private nextIndex = 0;
  private appending: number | null = null;
  private destroyed = false;
  private initFetch: Promise<FetchedBytes> | undefined;
  private startTime = 0;
  /** The chunk playback starts from, for the first-frame timing marks. */
  private firstIndex = -1;
  /** Set when a chunk failed in a way retrying cannot fix (e.g. the token was refused). */
  private halted = false;
  private wakeUp: (() => void) | undefined;
  private readonly detach: Array<() => void> = [];
  private problem: Problem | null = null;
  private problemHandler: ((problem: Problem | null) => void) | undefined;
  private readonly stats = {
    bytesByOrigin: { local: 0, peer: 0, master: 0, source: 0, unknown: 0 },
    chunksAppended: 0,
    quotaEvictions: 0,
  };
  /** Lowered after QuotaExceededError so the browser's buffer limit is respected from then on. */
  private aheadLimit: number;

  /** Known once the manifest arrives; everything that needs chunk times waits for it. */
  private manifest: MediaManifest | undefined;
  private readonly manifestReady: Promise<MediaManifest>;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly info: FeedVideo,
    manifest: MediaManifest | Promise<MediaManifest>,
    private readonly options: FeedOptions = {},
  ) {
    if (manifest instanceof Promise) {
      this.manifestReady = manifest;
      manifest.then(
        (known) => {
          this.manifest = known;
          this.wake();
        },
        // The view that fetched the manifest reports its failure; the feed just never starts reading ahead.
        () => undefined,
      );
    } else {
      this.manifest = manifest;
      this.manifestReady = Promise.resolve(manifest);
    }
    this.readAhead = options.readAheadSeconds ?? 30;
    this.keepBehind = options.keepBehindSeconds ?? 30;
    this.maxInFlight = options.maxInFlight ?? 3;
    this.aheadLimit = this.readAhead;
    this.mediaSource = options.attached?.mediaSource ?? new MediaSource();
    this.objectUrl = options.attached ? null : URL.createObjectURL(this.mediaSource);
  }

  /**
   * Starts fetching the init segment and the first chunks for `startAt`, before anything is attached:
   * the player calls this before video.js builds its UI, so the network and the UI work in parallel.
   */
  prefetch(startAt = 0): void {
    if (this.initFetch !== undefined || this.codecProblem() !== null) return;
    this.startTime = Math.min(Math.max(0, startAt), Math.max(0, this.info.duration - 0.5));
    this.initFetch = this.fetchWithRetry(
      api.initUrl(this.info.name),
      'the init segment',
      this.lifetime.signal,
    );
    this.initFetch.catch(() => undefined);
    if (this.manifest !== undefined) {
      this.nextIndex = chunkIndexAt(this.manifest.chunks, this.startTime);
      this.firstIndex = this.nextIndex;
      this.scheduleFetches(this.startTime);
    } else if (this.startTime < AT_START_SECONDS && this.info.chunkCount > 0) {
      this.nextIndex = 0;
      this.firstIndex = 0;
      this.startFetch(0);
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
    const buffer = await this.takeSourceBuffer();
    if (this.destroyed) return;
    this.sourceBuffer = buffer;
    this.mediaSource.duration = this.info.duration;
    const initBytes = (await init).bytes;
    markFirstFrame('init-fetched');
    await appendTo(buffer, initBytes);
    markFirstFrame('init-appended');
    if (this.video.currentTime !== start) this.video.currentTime = start;
    void this.feed(buffer);
  }

  /**
   * The primed SourceBuffer when there is one (switched to this video's type if it was primed for
   * another: the init segment appended next reconfigures it), else a new one.
   */
  private async takeSourceBuffer(): Promise<SourceBuffer> {
    const primed = await (this.options.attached?.primed ?? null);
    if (primed === null || this.mediaSource.sourceBuffers.length !== 1) {
      this.sourceBufferFrom = 'new';
      return this.mediaSource.addSourceBuffer(this.info.mimeType);
    }
    if (primed.mimeType === this.info.mimeType) {
      this.sourceBufferFrom = 'primed';
    } else {
      primed.buffer.changeType(this.info.mimeType);
      this.sourceBufferFrom = 'switched';
    }
    return primed.buffer;
  }

  /** Chunk 0 while the manifest is still coming, if that is where playback starts; then the pump. */
  private async feed(buffer: SourceBuffer): Promise<void> {
    try {
      while (
        !this.destroyed &&
        this.manifest === undefined &&
        this.firstIndex === 0 &&
        this.nextIndex === 0
      ) {
        const entry = this.pending.get(0);
        if (entry === undefined) break;
        if (entry.data !== undefined) {
          await this.appendChunk(buffer, 0, entry.data.bytes);
          break;
        }
        await this.sleepUntilWoken(250);
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
        this.halted = true;
        this.setProblem({
          kind: 'fatal',
          title: 'This video changed while it was opening',
          detail: `It was listed as ${this.info.mimeType} but its manifest says ${manifest.mimeType}. Go back to the library and open it again.`,
          retrying: false,
        });
        return;
      }
      if (manifest.duration !== this.mediaSource.duration && this.mediaSource.readyState === 'open')
        this.mediaSource.duration = manifest.duration;
      // Where to go on from: past what is buffered at the play head (chunk 0, or nothing yet for a
      // resume position, or wherever a seek before the manifest went).
      const expected = nextChunkToAppend(
        manifest.chunks,
        rangesOf(buffer.buffered),
        this.video.currentTime,
        manifest.duration,
      );
      this.nextIndex = expected;
      if (this.firstIndex < 0) this.firstIndex = this.nextIndex;
    } catch (error) {
      this.failedToFeed(error);
      return;
    }
    this.listen(this.video, 'seeking', () => this.onSeeking());
    this.listen(this.video, 'timeupdate', () => this.wake());
    this.listen(this.video, 'ratechange', () => this.wake());
    void this.pump();
  }

  private failedToFeed(error: unknown): void {
    if (this.destroyed || isAbort(error)) return;
    this.setProblem({
      kind: 'decode',
      title: "The browser couldn't decode this video",
      detail: error instanceof Error ? error.message : String(error),
      retrying: false,
    });
  }

  private async appendChunk(buffer: SourceBuffer, index: number, bytes: ArrayBuffer): Promise<void> {
    this.appending = index;
    try {
      await appendTo(buffer, bytes);
    } finally {
      this.appending = null;
    }
    if (this.nextIndex === index) {
      if (this.stats.chunksAppended === 0) markFirstFrame('first-chunk-appended');
      this.pending.delete(index);
      this.nextIndex = index + 1;
      this.stats.chunksAppended++;
    }
  }

  private codecProblem(): string | null {
    return unsupportedCodecMessage(this.info.mimeType, (type) => MediaSource.isTypeSupported(type));
  }

  snapshot(): FeedSnapshot {
    const buffered = this.sourceBuffer && !this.destroyed ? safeRanges(this.sourceBuffer) : [];
    const time = this.video.currentTime;
    return {
      currentChunk:
        this.manifest === undefined ? Math.max(0, this.firstIndex) : chunkIndexAt(this.manifest.chunks, time),
      nextChunk: this.nextIndex,
      buffered,
      bufferAhead: bufferAhead(buffered, time),
      inFlight: [...this.pending.entries()]
        .filter(([, chunk]) => chunk.data === undefined)
        .map(([index]) => index),
      bytesByOrigin: { ...this.stats.bytesByOrigin },
      chunksAppended: this.stats.chunksAppended,
      quotaEvictions: this.stats.quotaEvictions,
      sourceBufferFrom: this.sourceBufferFrom,
    };
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.lifetime.abort();
    for (const off of this.detach) off();
    this.pending.clear();
    this.wake();
    if (this.objectUrl !== null) URL.revokeObjectURL(this.objectUrl);
  }

  private listen(target: EventTarget, type: string, handler: () => void): void {
    target.addEventListener(type, handler);
    this.detach.push(() => target.removeEventListener(type, handler));
  }

  private wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }

  private sleepUntilWoken(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** One loop does every SourceBuffer operation, so no two ever overlap. */
  private async pump(): Promise<void> {
    while (!this.destroyed) {
      let worked: boolean;
      try {
        worked = await this.step();
      } catch (error) {
        if (this.destroyed || isAbort(error)) return;
        const detail = error instanceof Error ? error.message : String(error);
        this.setProblem({
          kind: 'decode',
          title: "The browser couldn't decode this video",
          detail,
          retrying: false,
        });
        return;
      }
      if (!worked) await this.sleepUntilWoken(250);
    }
  }

  private async step(): Promise<boolean> {
    if (this.halted) return false;
    const buffer = this.sourceBuffer!;
    const time = this.video.currentTime;
    this.scheduleFetches(time);
    if (await this.trim(buffer, time, false)) return true;

    const chunks = this.manifest!.chunks;
    if (this.nextIndex >= chunks.length) {
      if (this.mediaSource.readyState === 'open' && !buffer.updating && this.pending.size === 0) {
        this.mediaSource.endOfStream();
      }
      return false;
    }
    const entry = this.pending.get(this.nextIndex);
    if (entry?.data === undefined) return false;
    try {
      // A seek during the append moves nextIndex elsewhere; the chunk's bytes are then superseded.
      await this.appendChunk(buffer, this.nextIndex, entry.data.bytes);
    } catch (error) {
      if (!isQuotaExceeded(error)) throw error;
      // The browser's buffer is full: drop what is far from the play head, read ahead less, retry.
      this.stats.quotaEvictions++;
      this.aheadLimit = Math.max(6, this.aheadLimit / 2);
      await this.trim(buffer, this.video.currentTime, true);
    }
    return true;
  }

  /** Removes media outside [t - behind, t + ahead + slack]; `hard` keeps only a few seconds behind. */
  private async trim(buffer: SourceBuffer, time: number, hard: boolean): Promise<boolean> {
    const behind = hard ? 2 : this.keepBehind;
    const keepTo = time + this.aheadLimit + (hard ? 4 : 30);
    const spans = removableSpans(rangesOf(buffer.buffered), time - behind, keepTo, hard ? 0.01 : 5);
    if (spans.length === 0) return false;
    for (const [start, end] of spans) await removeFrom(buffer, start, end);
    // A removal (or the browser's own eviction before a QuotaExceededError) may have taken media the
    // feed already appended ahead of the play head; step back so it is fetched and appended again.
    const now = this.video.currentTime;
    const expected = nextChunkToAppend(
      this.manifest!.chunks,
      rangesOf(buffer.buffered),
      now,
      this.manifest!.duration,
    );
    if (expected < this.nextIndex) this.nextIndex = expected;
    return true;
  }

  private scheduleFetches(time: number): void {
    if (this.halted || this.destroyed || this.manifest === undefined) return;
    const chunks = this.manifest.chunks;
    const horizon = time + this.aheadLimit;
    // Drop fetched or in-flight chunks that are no longer on the path ahead (after a seek).
    for (const [index, chunk] of this.pending) {
      if (index < this.nextIndex || index >= this.nextIndex + this.maxInFlight + 2) {
        chunk.controller.abort();
        this.pending.delete(index);
      }
    }
    for (let index = this.nextIndex; index < chunks.length; index++) {
      if (this.pending.size >= this.maxInFlight) break;
      const chunk = chunks[index]!;
      if ((chunk.start ?? 0) > horizon) break;
      if (this.pending.has(index)) continue;
      this.startFetch(index);
    }
  }

  private startFetch(index: number): void {
    const controller = new AbortController();
    const onLifetimeEnd = (): void => controller.abort();
    this.lifetime.signal.addEventListener('abort', onLifetimeEnd, { once: true });
    const entry: PendingChunk = { controller };
    this.pending.set(index, entry);
    const started = performance.now();
    this.fetchWithRetry(api.chunkUrl(this.info.name, index), `chunk ${index}`, controller.signal)
      .then((data) => {
        entry.data = data;
        if (index === this.firstIndex) markFirstFrame('first-chunk-fetched');
        const origin = data.origin;
        this.stats.bytesByOrigin[origin ?? 'unknown'] += data.bytes.byteLength;
        this.options.onChunk?.({
          index,
          bytes: data.bytes.byteLength,
          origin,
          ms: performance.now() - started,
        });
      })
      .catch((error: unknown) => {
        if (this.pending.get(index) === entry) this.pending.delete(index);
        if (isAbort(error) || controller.signal.aborted) return;
        entry.failed = error;
        if (error instanceof GatewayFailure && error.kind === 'fatal') this.halted = true;
      })
      .finally(() => {
        this.lifetime.signal.removeEventListener('abort', onLifetimeEnd);
        this.wake();
      });
  }

  private fetchWithRetry(url: string, what: string, signal: AbortSignal): Promise<FetchedBytes> {
    let early = this.options.prefetched?.get(url);
    this.options.prefetched?.delete(url);
    const attempt = (attemptSignal: AbortSignal): Promise<FetchedBytes> => {
      // The first attempt is the request already in flight; a retry is a fresh one.
      const taken = early;
      early = undefined;
      return taken ?? getBytes(url, attemptSignal);
    };
    return withRetry(attempt, signal, {
      onFailure: (failure, attempt) => {
        const problem = problemFromFailure(failure, attempt, what);
        if (problem !== null) this.setProblem(problem);
      },
      onSuccess: () => {
        if (this.problem?.retrying) this.setProblem(null);
      },
    });
  }

  private onSeeking(): void {
    const buffer = this.sourceBuffer;
    const manifest = this.manifest;
    if (buffer === undefined || manifest === undefined) return;
    const time = this.video.currentTime;
    const target = nextChunkToAppend(manifest.chunks, rangesOf(buffer.buffered), time, manifest.duration);
    if (target !== this.nextIndex) {
      // An append of a chunk from the old position only delays the new one: cut it short. (abort()
      // is only allowed during an append, not during a removal.)
      if (buffer.updating && this.appending !== null) buffer.abort();
      this.nextIndex = target;
    }
    this.scheduleFetches(time);
    this.wake();
  }

  /**
   * Where problems go from now on, replacing `onProblem`; told the current one at once. For a feed
   * started before its player existed (a library click), which the player adopts when it mounts.
   */
  reportProblemsTo(handler: (problem: Problem | null) => void): void {
    this.problemHandler = handler;
    if (this.problem !== null) handler(this.problem);
  }

  private setProblem(problem: Problem | null): void {
    this.problem = problem;
    (this.problemHandler ?? this.options.onProblem)?.(problem);
  }
}

function safeRanges(buffer: SourceBuffer): Range[] {
  try {
    return rangesOf(buffer.buffered);
  } catch {
    // buffered throws once the SourceBuffer is detached from its MediaSource.
    return [];
  }
}
