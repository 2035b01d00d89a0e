/**
 * One live stream on a running node: the live cutter's init segment and chunks go into the node's
 * store as they come (each put crash-safe, as every store write is), each chunk is appended to the
 * signed LiveManifestBuilder, and the manifest as it stands is what the store, and so `get-manifest`
 * and `list-videos`, give out. The DVR window's dropped chunks leave the store with the manifest that
 * stops naming them (ChunkStore.putManifest's live growth).
 *
 * Store writes run one after another in the order the cutter hands things out: the manifest must
 * name a chunk before the store takes it, and the next manifest must grow the last one. A write that
 * fails (a full disk) fails the session: the cutter is stopped and the manifest ended as `failed`.
 *
 * A session emits `chunk` for every chunk stored (its entry and the manifest that names it): what an
 * announcer pushing chunks down the tree subscribes to. It emits `end` once, when it is over.
 */
import { EventEmitter } from 'node:events';
import type { LiveCutter, LiveCutterOptions, LiveEnd, LiveInit } from '../media/live-cutter.js';
import { startLiveCutter } from '../media/live-cutter.js';
import { DEFAULT_RECONNECT_SECONDS } from '../media/live-options.js';
import type { LiveChunk } from '../media/live-chunk-assembler.js';
import type { LiveInput } from '../media/live-input.js';
import type { LiveChunkEntry, LiveManifest, MediaManifest } from '../shared/manifest.js';
import type { ChunkStore } from '../store/chunk-store.js';
import { LiveManifestBuilder, newLiveStreamId } from '../trust/live-manifest-builder.js';
import { signManifest } from '../trust/manifest-signature.js';
import type { PublisherKeyPair } from '../trust/publisher-key.js';
import { PeerStreamerError, errorMessage, isPeerStreamerError } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';
import { systemClock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { LiveSessionInfo, LiveSessionState } from '../control/reply-schemas.js';

/**
 * A session's state: starting (the input is opening, or an RTMP/SRT listener waits for its
 * publisher), live (chunks are stored), ended (the input ended: a file played out, the publisher
 * left), failed (the input or the store failed), stopped (`live stop`). Its fields, as `live ls`
 * shows them, are LiveSessionInfo (core/control/reply-schemas.ts).
 */
export type { LiveSessionInfo, LiveSessionState };

export interface LiveSessionOptions {
  name: string;
  input: LiveInput;
  /** The DVR window in whole seconds; 0 keeps every chunk (and so the recording). */
  window: number;
  stallSeconds?: number;
  chunkDuration?: number;
  /**
   * How long a stream that was live waits for its input to come back after losing it (a publisher
   * that left or dropped, an encoder or camera that died), in seconds: it then goes on as the same
   * stream, the next chunk marked as a discontinuity. 0: the stream ends when the input does.
   * Default DEFAULT_RECONNECT_SECONDS.
   */
  reconnectSeconds?: number;
  /** A stream this key published under `name` to go on with (same id, a discontinuity next). */
  resume?: LiveManifest;
  store: ChunkStore;
  key: PublisherKeyPair;
  logger: Logger;
}

/** Between tries at an input that is not back yet (a camera still gone, a port still held). */
const RECONNECT_RETRY_MS = 1_000;

interface SessionEvents {
  chunk: [entry: LiveChunkEntry, manifest: LiveManifest];
  end: [info: LiveSessionInfo];
}

export class LiveSession extends EventEmitter<SessionEvents> {
  readonly name: string;
  /** Settles once the session is over and its manifest ended; never rejects. */
  readonly done: Promise<LiveSessionInfo>;
  private state: LiveSessionState = 'starting';
  private builder: LiveManifestBuilder | null = null;
  private init: LiveInit | null = null;
  private initStored = false;
  /** Added to this run's chunk times: where the stream stood when this run began. */
  private offset: number | null = null;
  private delayMs: number | null = null;
  private reason: string | null = null;
  private failure: PeerStreamerError | null = null;
  private stopRequested = false;
  /** Aborted by `live stop`: ends a wait between reconnect tries at once. */
  private readonly stopping = new AbortController();
  /** The input's current run: a lost input that comes back is a new run of the cutter. */
  private cutter: LiveCutter;
  /** A restarted run's init segment, compared with the stream's before its first chunk is taken. */
  private runInit: LiveInit | null = null;
  /** Set while a restarted run's first chunk is awaited: it starts a new stretch of the timeline. */
  private newRun = false;
  private resumed: (() => void) | null = null;
  private writes: Promise<void> = Promise.resolve();
  private readonly startedAt = new Date().toISOString();
  private settleFirst!: () => void;
  /** Settles when the first chunk is stored or the session is over, whichever comes first. */
  private readonly firstOutcome = new Promise<void>((resolve) => (this.settleFirst = resolve));

  private constructor(
    private readonly options: LiveSessionOptions,
    cutter: LiveCutter,
    cutterStarted: (session: LiveSession) => void,
  ) {
    super();
    this.name = options.name;
    this.cutter = cutter;
    cutterStarted(this);
    this.done = this.supervise(cutter);
  }

  /**
   * Starts the cutter. Rejects, with the input's error, when the input cannot be used at all (a
   * missing file or device, a bad URL); a failure after ffmpeg started ends the session instead.
   */
  static async start(options: LiveSessionOptions): Promise<LiveSession> {
    let session: LiveSession | null = null;
    // The cutter may call back before startLiveCutter resolves; those calls wait for the session.
    const early: Array<(session: LiveSession) => void> = [];
    const dispatch = (call: (session: LiveSession) => void): void => {
      if (session === null) early.push(call);
      else call(session);
    };
    const cutter = await startLiveCutter(
      options.input,
      cutterOptions(
        options,
        (init) => dispatch((s) => s.onInit(init)),
        (chunk) => dispatch((s) => s.onChunk(chunk)),
      ),
    );
    return new LiveSession(options, cutter, (created) => {
      session = created;
      for (const call of early.splice(0)) call(created);
    });
  }

  get description(): string {
    return this.cutter.description;
  }

  get running(): boolean {
    return this.state === 'starting' || this.state === 'live';
  }

  /** The error the session failed with (the input's, or the store's), or null. */
  get error(): PeerStreamerError | null {
    return this.failure;
  }

  /** Resolves once the first chunk is stored, the session is over, or `ms` have passed. */
  async settledWithin(ms: number): Promise<LiveSessionInfo> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.firstOutcome, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
    return this.info();
  }

  info(): LiveSessionInfo {
    const builder = this.builder;
    const manifest = builder === null ? null : builder.manifest();
    const last = manifest?.chunks[manifest.chunks.length - 1];
    return {
      name: this.name,
      state: this.state,
      input: this.cutter.description,
      stream: manifest?.live.stream ?? null,
      chunks: last === undefined ? 0 : last.index + 1,
      inWindow: manifest?.chunks.length ?? 0,
      seconds: builder?.timelineEnd ?? 0,
      window: manifest?.live.window ?? this.options.window,
      delayMs: this.delayMs,
      reason: this.reason,
      startedAt: this.startedAt,
    };
  }

  /**
   * Why the recording cannot be kept (the window dropped chunks, or there is none yet), or null
   * when it can: asked before stopping, so a refused --keep leaves the stream running.
   */
  keepProblem(): string | null {
    if (this.builder === null) return `the live stream ${JSON.stringify(this.name)} has no chunk yet`;
    const first = this.builder.manifest().chunks[0]!;
    if (first.index === 0) return null;
    return `its ${this.options.window} s window has dropped its first ${first.index} chunks, so no whole recording exists (start a stream with --window 0 to keep one)`;
  }

  /** Ends the input (its last chunk is still stored) and the manifest; resolves once both are done. */
  async stop(): Promise<LiveSessionInfo> {
    if (this.running) this.stopRequested = true;
    this.stopping.abort();
    await this.cutter.stop();
    return this.done;
  }

  /**
   * Stores the recording so far as an ordinary signed video named `as` (pinned, as a source's
   * videos are): the stream's chunks, shared in the store (they are content-addressed), under an
   * on-demand manifest. The builder refuses when the window dropped chunks.
   */
  async keep(as: string): Promise<MediaManifest> {
    const { store, key } = this.options;
    if (this.builder === null)
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `cannot keep ${JSON.stringify(this.name)}: ${this.keepProblem()}.`,
      );
    const recording = this.builder.toOnDemand();
    const { signature: _signature, publisher: _publisher, ...fields } = recording;
    const manifest = signManifest<MediaManifest>({ ...fields, name: as }, key);
    const writer = store.beginVideo(as, { replace: false });
    try {
      await writer.writeInit(await this.stored(-1));
      for (const chunk of manifest.chunks)
        await writer.writeChunk(chunk.index, await this.stored(chunk.index));
      await writer.commit(manifest, { pinned: true });
      return manifest;
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  private async stored(index: number): Promise<Buffer> {
    const { store } = this.options;
    const bytes =
      index === -1
        ? await store.getInit(this.name, { verify: true })
        : await store.getChunk(this.name, index, { verify: true });
    if (bytes !== undefined) return bytes;
    throw new PeerStreamerError(
      'CHUNK_NOT_FOUND',
      `cannot keep the recording of ${JSON.stringify(this.name)}: ${index === -1 ? 'its init segment' : `chunk ${index}`} is no longer in the store (verify dropped it). Nothing was kept.`,
      { video: this.name, index },
    );
  }

  private onInit(init: LiveInit): void {
    // A restarted input's init comes again on its first fragment; the first one names the stream's.
    this.init ??= init;
    this.runInit = init;
  }

  private onChunk(chunk: LiveChunk): void {
    this.queue(() => this.storeChunk(chunk));
  }

  private queue(step: () => Promise<void>): void {
    this.writes = this.writes.then(async () => {
      if (this.failure !== null) return;
      try {
        await step();
      } catch (error) {
        this.failWith(error);
      }
    });
  }

  private failWith(error: unknown): void {
    this.failure = isPeerStreamerError(error)
      ? error
      : new PeerStreamerError(
          'INTERNAL',
          `the live stream ${JSON.stringify(this.name)} could not be stored: ${errorMessage(error)}; see the node's log.`,
          { video: this.name },
          { cause: error },
        );
    this.options.logger.warn({ video: this.name, err: this.failure.message }, 'live stream failed');
    void this.cutter.stop();
  }

  private async storeChunk(chunk: LiveChunk): Promise<void> {
    const { store, logger } = this.options;
    const init = this.init;
    if (init === null) throw new Error('a chunk came before the init segment');
    let discontinuity = false;
    if (this.builder === null) {
      this.builder = await this.makeBuilder(init);
      discontinuity = this.builder.timelineEnd > 0;
      this.offset = this.builder.timelineEnd - chunk.start;
    } else if (this.newRun) {
      this.assertSameInit();
      discontinuity = true;
      this.offset = this.builder.timelineEnd - chunk.start;
    }
    const builder = this.builder;
    const entry = builder.append({
      start: this.offset! + chunk.start,
      duration: chunk.duration,
      size: chunk.bytes.length,
      sha256: chunk.sha256,
      captureTime: chunk.captureTime,
      ...(discontinuity ? { discontinuity: true } : {}),
    });
    const manifest = builder.manifest();
    if (store.getManifest(this.name) === undefined) {
      // The stream's first chunk: its manifest, its init segment, then the chunk.
      store.putManifest(manifest);
      await store.putInit(this.name, init.bytes);
      await store.putChunk(this.name, entry.index, chunk.bytes);
    } else {
      // Every later one appears with the manifest that names it, in one transaction: a viewer is
      // never given a manifest whose newest chunk the node does not hold yet.
      await store.putLiveChunk(manifest, entry.index, chunk.bytes);
      if (!this.initStored && !store.hasChunk(this.name, -1)) await store.putInit(this.name, init.bytes);
    }
    if (!this.initStored) {
      // A source serves its own stream: pinned, so a cache size never evicts what the window keeps.
      store.pinVideo(this.name, true);
      this.initStored = true;
    }
    this.delayMs = Math.max(0, Date.now() - chunk.captureTime);
    if (this.state === 'starting') {
      this.state = 'live';
      logger.info(
        { video: this.name, stream: manifest.live.stream, input: this.description },
        'live stream on',
      );
      this.settleFirst();
    }
    if (this.newRun) {
      this.newRun = false;
      this.resumed?.();
    }
    this.emit('chunk', entry, manifest);
  }

  /** A returning input must make the stream's init segment: one manifest names one. */
  private assertSameInit(): void {
    const stream = this.builder!.manifest();
    if (this.runInit !== null && sha256Hex(this.runInit.bytes) === stream.init.sha256) return;
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${this.description} came back with other codecs or another picture size than stream ${stream.live.stream} has, so it cannot go on as that stream; start the live stream again (a new stream replaces it).`,
      { video: this.name },
    );
  }

  /**
   * Runs the input until the session is over: when a stream that was live loses its input, the
   * input is started again (reconnect) and the stream goes on; otherwise, or when it does not come
   * back in time, the session finishes.
   */
  private async supervise(first: LiveCutter): Promise<LiveSessionInfo> {
    let end = await first.finished;
    for (;;) {
      await this.writes;
      if (!this.mayReconnect(end)) return this.finish(end);
      const back = await this.reconnect(end);
      if (back === null) return this.finish(end, this.stopRequested ? null : this.reconnectMs);
      end = await back.finished;
    }
  }

  private get reconnectMs(): number {
    return (this.options.reconnectSeconds ?? DEFAULT_RECONNECT_SECONDS) * 1000;
  }

  private mayReconnect(end: LiveEnd): boolean {
    // Never live (the input failed before its first chunk): the start answers with that error.
    if (this.builder === null || this.failure !== null || this.stopRequested) return false;
    if (end.outcome === 'stopped' || this.reconnectMs === 0) return false;
    // A file is not lost, it ended: played out, or (failed) started again it would repeat from its
    // start. A looped one plays from its start anyway, so it may go on.
    const { input } = this.options;
    return input.kind !== 'file' || (input.loop && end.outcome === 'failed');
  }

  /** Starts the input again until a chunk comes, `live stop`, or the reconnect time is up (null). */
  private async reconnect(lost: LiveEnd): Promise<LiveCutter | null> {
    const { logger, input } = this.options;
    const why = lost.outcome === 'failed' ? lost.error.message : `${this.description} ended`;
    const lostAt = Date.now();
    const deadline = lostAt + this.reconnectMs;
    this.reason = `input lost (${why}); waiting up to ${this.reconnectMs / 1000} s for it to come back`;
    logger.warn({ video: this.name, reason: this.reason }, 'live input lost');
    while (!this.stopRequested && Date.now() < deadline) {
      let run: LiveCutter;
      try {
        run = await startLiveCutter(
          input,
          cutterOptions(
            this.options,
            (init) => this.onInit(init),
            (chunk) => this.onChunk(chunk),
          ),
        );
      } catch (error) {
        logger.debug({ video: this.name, err: errorMessage(error) }, 'live input not back yet');
        await systemClock.sleep(RECONNECT_RETRY_MS, this.stopping.signal);
        continue;
      }
      this.cutter = run;
      this.newRun = true;
      const came = new Promise<'back'>((resolve) => (this.resumed = () => resolve('back')));
      const outcome = await Promise.race([
        came,
        run.finished.then(() => 'over' as const),
        systemClock
          .sleep(Math.max(0, deadline - Date.now()), this.stopping.signal)
          .then(() => 'late' as const),
      ]);
      this.resumed = null;
      if (outcome === 'back') {
        this.reason = `${this.description} came back after ${((Date.now() - lostAt) / 1000).toFixed(1)} s; the stream went on (marked as a discontinuity)`;
        logger.info({ video: this.name, reason: this.reason }, 'live input back');
        return run;
      }
      if (outcome === 'late' || this.stopRequested) {
        await run.stop();
        break;
      }
      await systemClock.sleep(RECONNECT_RETRY_MS, this.stopping.signal);
    }
    this.newRun = false;
    return null;
  }

  /** A new stream, or the one to resume when its init segment is the same (same codecs and size). */
  private async makeBuilder(init: LiveInit): Promise<LiveManifestBuilder> {
    const { resume, key, store, name } = this.options;
    const initRef = { size: init.bytes.length, sha256: sha256Hex(init.bytes) };
    if (resume !== undefined) {
      if (resume.init.sha256 === initRef.sha256) {
        this.reason = `went on with stream ${resume.live.stream} after chunk ${resume.chunks[resume.chunks.length - 1]!.index} (marked as a discontinuity)`;
        // The window is the stream's, signed in its header: a restart cannot change it.
        if (resume.live.window !== this.options.window)
          this.reason += `, keeping its ${resume.live.window} s window`;
        return LiveManifestBuilder.resume(resume, key);
      }
      // Chunks of two init segments cannot share one manifest (it names one): a new stream replaces it.
      this.reason = `the input's codecs or picture size differ from stream ${resume.live.stream}'s, so a new stream replaced it`;
      await store.deleteVideo(name);
    }
    return new LiveManifestBuilder(
      {
        name,
        mimeType: init.mimeType,
        width: init.width,
        height: init.height,
        init: initRef,
        ingest: { mode: this.cutter.mode, sourceCodecs: init.codecs.map((codec) => codec.split('.')[0]!) },
        stream: newLiveStreamId(),
        window: this.options.window,
      },
      key,
    );
  }

  /** Ends the session after `end`; `gaveUpAfterMs` when it waited that long for the input in vain. */
  private async finish(end: LiveEnd, gaveUpAfterMs: number | null = null): Promise<LiveSessionInfo> {
    await this.writes;
    const failure = this.failure ?? (end.outcome === 'failed' ? end.error : null);
    this.failure = failure;
    const notBack = gaveUpAfterMs === null ? '' : ` (it did not come back within ${gaveUpAfterMs / 1000} s)`;
    if (failure !== null) {
      this.state = 'failed';
      this.reason = failure.message + notBack;
    } else if (this.stopRequested || end.outcome === 'stopped') {
      this.state = 'stopped';
      this.reason = 'stopped with live stop';
    } else {
      this.state = 'ended';
      this.reason = `${this.description} ended${notBack}`;
    }
    const builder = this.builder;
    if (builder !== null) {
      try {
        builder.end(failure !== null ? 'failed' : 'ended');
        this.options.store.putManifest(builder.manifest());
      } catch (error) {
        // The store closed under it, or a disk failed: the stream's end is the node's log to tell.
        this.options.logger.error(
          { video: this.name, err: errorMessage(error) },
          'could not record the live stream as ended',
        );
      }
    }
    this.options.logger.info(
      { video: this.name, state: this.state, reason: this.reason },
      'live stream over',
    );
    this.settleFirst();
    const info = this.info();
    this.emit('end', info);
    return info;
  }
}

/** The cutter's options for a session's input, with where its init and chunks go. */
function cutterOptions(
  options: LiveSessionOptions,
  onInit: (init: LiveInit) => void,
  onChunk: (chunk: LiveChunk) => void,
): LiveCutterOptions {
  return {
    ...(options.stallSeconds !== undefined ? { stallSeconds: options.stallSeconds } : {}),
    ...(options.chunkDuration !== undefined ? { chunkDuration: options.chunkDuration } : {}),
    logger: options.logger,
    onInit,
    onChunk,
  };
}
