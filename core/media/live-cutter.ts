/**
 * Cuts a live input into MediaSource-ready chunks as the encoder makes them: the init segment once,
 * then each chunk (short, keyframe-aligned, hashed, dated by its capture time) the moment its last
 * fragment is written. Nothing is stored; the caller gets bytes through `onInit` and `onChunk`.
 *
 * Unlike the on-demand cutter, which is pulled (an async generator), a live cut is pushed: the input
 * runs in real time whether or not the caller keeps up, and pausing ffmpeg's pipe would only make a
 * publisher or camera drop frames. Its end is one `finished` promise that never rejects: `ended` (the
 * input ended: a file played out, a publisher left), `stopped` (stop() was called) or `failed` with a
 * PeerStreamerError naming the input. Bad inputs that can be found before ffmpeg starts make
 * startLiveCutter itself reject.
 */
import { PeerStreamerError, errorMessage, isPeerStreamerError } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { MAX_CHUNK_BYTES } from '../shared/manifest-schema.js';
import { startFfmpeg, type FfmpegRun } from './ffmpeg-process.js';
import { Fmp4Stream, type InitSegment } from './fmp4-stream.js';
import { FragmentTimeline } from './fragment-timeline.js';
import { LiveChunkAssembler, type LiveChunk } from './live-chunk-assembler.js';
import { buildLiveFfmpegArgs } from './live-ffmpeg-args.js';
import { inputStalled, liveFfmpegFailure } from './live-failure.js';
import { checkLiveInput, describeLiveInput, type LiveInput } from './live-input.js';
import { resolveLiveTuning, type LiveTuning, type ResolvedLiveTuning } from './live-options.js';
import { planLive, publishedCodecProblem, type LivePlan } from './live-plan.js';
import { StallWatchdog } from './live-stall-watchdog.js';
import type { IngestMode } from './plan.js';

/** How long ffmpeg may take to write its last fragment after SIGINT before it is killed. */
const STOP_GRACE_MS = 5000;

export interface LiveInit {
  /** ftyp + moov. */
  bytes: Buffer;
  /** e.g. `video/mp4; codecs="avc1.64001f, mp4a.40.2"`, for MediaSource.addSourceBuffer. */
  mimeType: string;
  codecs: string[];
  width: number | null;
  height: number | null;
}

export interface LiveCutterOptions extends LiveTuning {
  onInit?: (init: LiveInit) => void;
  onChunk?: (chunk: LiveChunk) => void;
  logger?: Logger;
}

export type LiveEnd =
  | { outcome: 'ended'; chunkCount: number }
  | { outcome: 'stopped'; chunkCount: number }
  | { outcome: 'failed'; chunkCount: number; error: PeerStreamerError };

export interface LiveCutter {
  readonly input: LiveInput;
  /** The input as messages name it, e.g. "file talk.mp4". */
  readonly description: string;
  /** remux: the input's H.264/AAC is copied; transcode: encoded (partial-transcode: video copied). */
  readonly mode: IngestMode;
  readonly finished: Promise<LiveEnd>;
  /** Ends ffmpeg cleanly (its last fragment is still handed out) and resolves once it has exited. */
  stop(): Promise<LiveEnd>;
}

/**
 * Checks `input` and the options, decides remux or transcode, and starts ffmpeg. Rejects with the
 * input's PeerStreamerError when it cannot be used (a missing file or camera, a bad URL or value).
 */
export async function startLiveCutter(
  input: LiveInput,
  options: LiveCutterOptions = {},
): Promise<LiveCutter> {
  const checked = checkLiveInput(input);
  const tuning = resolveLiveTuning(options);
  const plan = await planLive(checked, tuning.forceTranscode);
  return new LiveRun(checked, plan, tuning, options);
}

class LiveRun implements LiveCutter {
  readonly description: string;
  readonly mode: IngestMode;
  readonly finished: Promise<LiveEnd>;
  private readonly run: FfmpegRun;
  private readonly stream: Fmp4Stream;
  private readonly assembler: LiveChunkAssembler;
  private readonly watchdog: StallWatchdog;
  private readonly log: Logger;
  private timeline: FragmentTimeline | null = null;
  private failure: PeerStreamerError | null = null;
  private stopping = false;
  private chunkCount = 0;

  constructor(
    readonly input: LiveInput,
    private readonly plan: LivePlan,
    tuning: ResolvedLiveTuning,
    private readonly options: LiveCutterOptions,
  ) {
    this.description = describeLiveInput(input);
    this.mode = plan.mode;
    this.log = options.logger ?? silentLogger();
    const args = buildLiveFfmpegArgs(input, plan, {
      chunkSeconds: tuning.chunkSeconds,
      x264Preset: tuning.x264Preset,
    });
    this.log.info(
      { input: this.description, mode: plan.mode, chunkSeconds: tuning.chunkSeconds },
      'live cut starting',
    );
    this.log.debug({ args }, 'ffmpeg arguments');
    this.stream = new Fmp4Stream(this.description, MAX_CHUNK_BYTES);
    this.assembler = new LiveChunkAssembler(tuning.chunkSeconds, this.description, plan.encoderCaptureTime);
    this.watchdog = new StallWatchdog(tuning.stallMs, (quietMs) => this.fail(inputStalled(input, quietMs)));
    this.run = startFfmpeg(args, undefined, { progressPipe: true });
    if (this.run.progress !== null) this.watchdog.watch(this.run.progress);
    this.finished = this.pump();
  }

  async stop(): Promise<LiveEnd> {
    this.stopping = true;
    await this.run.finish(STOP_GRACE_MS);
    return this.finished;
  }

  private fail(error: PeerStreamerError): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.log.warn({ input: this.description, err: error.message }, 'live cut failed');
    // Killed, not asked: what ffmpeg still holds is of no use now, and a stalled input can keep it
    // from answering SIGINT (a read blocked on a frozen publisher) for the whole grace time.
    void this.run.stop();
  }

  private async pump(): Promise<LiveEnd> {
    try {
      for await (const data of this.run.stdout) {
        this.watchdog.moved();
        if (this.failure === null) this.take(data as Buffer);
      }
    } catch (error) {
      // The pipe broke: the exit status below says why.
      this.log.debug({ err: errorMessage(error) }, 'ffmpeg output pipe error');
    }
    const exit = await this.run.exited;
    this.watchdog.stop();
    if (this.failure === null && !this.stopping) {
      if (exit.code !== 0 || exit.spawnError !== null) {
        this.failure = liveFfmpegFailure(this.input, exit, this.run.stderr());
      } else {
        this.guard(() => this.stream.finish());
      }
    }
    if (this.failure === null) this.guard(() => this.emit(this.assembler.finish()));
    const end: LiveEnd =
      this.failure !== null
        ? { outcome: 'failed', chunkCount: this.chunkCount, error: this.failure }
        : { outcome: this.stopping ? 'stopped' : 'ended', chunkCount: this.chunkCount };
    this.log.info(
      { input: this.description, outcome: end.outcome, chunks: this.chunkCount },
      'live cut over',
    );
    return end;
  }

  /** Runs one step of the cut; an error in it (ffmpeg's output, a handler) fails the cut instead of escaping. */
  private guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.fail(
        isPeerStreamerError(error)
          ? error
          : new PeerStreamerError(
              'INTERNAL',
              `the live cut of ${this.description} failed: ${errorMessage(error)}; report this.`,
              { input: this.description },
              { cause: error },
            ),
      );
    }
  }

  private take(data: Buffer): void {
    this.guard(() => {
      const arrivedAt = Date.now();
      for (const item of this.stream.push(data)) {
        if (this.failure !== null) return;
        if (item.kind === 'init') this.begin(item);
        else if (this.timeline !== null) {
          const placed = this.timeline.place(item.info);
          for (const chunk of this.assembler.add(item, placed, arrivedAt)) this.emit(chunk);
        }
      }
    });
  }

  private begin(init: InitSegment): void {
    if (this.plan.checkCodecsAtInit) {
      const problem = publishedCodecProblem(this.input, init);
      if (problem !== null) return this.fail(problem);
    }
    this.timeline = new FragmentTimeline(init.init);
    // The input has started: from here on, silence is a stall.
    this.watchdog.arm();
    const video = init.init.tracks.find((track) => track.handler === 'vide');
    const { onInit } = this.options;
    this.deliver('onInit', () =>
      onInit?.({
        bytes: init.bytes,
        mimeType: init.mimeType,
        codecs: init.codecs,
        width: video?.width ?? null,
        height: video?.height ?? null,
      }),
    );
  }

  private emit(chunk: LiveChunk | null): void {
    if (chunk === null) return;
    this.chunkCount += 1;
    const { onChunk } = this.options;
    this.deliver('onChunk', () => onChunk?.(chunk));
  }

  /** Calls the caller's handler; one that throws stops the cut, with its error as the cause. */
  private deliver(handler: 'onInit' | 'onChunk', call: () => void): void {
    try {
      call();
    } catch (error) {
      throw new PeerStreamerError(
        'INTERNAL',
        `the live cut of ${this.description} stopped: its ${handler} handler threw (${errorMessage(error)}); fix the handler, then start the live stream again.`,
        { input: this.description, handler },
        { cause: error },
      );
    }
  }
}
