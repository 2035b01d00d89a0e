/**
 * Cuts a video into MediaSource-ready chunks: probe, plan (remux or transcode), run ffmpeg writing
 * fragmented MP4 to a pipe, parse that stream box by box and group fragments into chunks. Nothing is
 * written anywhere: the caller gets the init segment and each chunk as bytes, with their timing.
 *
 * Timeline. Times in events are seconds on the timeline a MediaSource player sees when it appends the
 * init segment and chunks unchanged. With `empty_moov` ffmpeg writes no edit list (it cannot know the
 * first composition offset before any sample exists), so a player shows each sample at decode time +
 * composition offset. With B-frames the first frame is therefore shown at e.g. 2 frames (0.067 s), not 0;
 * we keep that instead of pretending the video starts at 0, so that a chunk's start is exactly where the
 * player will show its keyframe and seeking to a chunk's start never lands in a gap. Only the first
 * chunk is stretched back to 0 so that the chunks tile [0, duration). If the stream's first decode time
 * is not 0 (ffmpeg normally rebases to 0), all times are shifted by it so the manifest starts near 0.
 */
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';
import { PeerStreamerError, errorMessage, isDiskFull } from '../util/errors.js';
import { resolveChunkTarget, type ChunkOptions } from './chunk-options.js';
import { ChunkGrouper, roundTime } from './chunk-grouper.js';
import { keyframeNote, type KeyframeNote } from './keyframe-note.js';
import { buildFfmpegArgs } from './ffmpeg-args.js';
import { corruptionError, ffmpegFailure, startFfmpeg } from './ffmpeg-process.js';
import { Fmp4Stream, malformedOutput } from './fmp4-stream.js';
import { FragmentTimeline } from './fragment-timeline.js';
import { MAX_CHUNK_BYTES } from '../shared/manifest-schema.js';
import { planIngest, type IngestMode, type IngestPlan } from './plan.js';
import { probeMedia, type ProbeResult } from './probe.js';

export interface CutOptions extends ChunkOptions {
  signal?: AbortSignal;
  /** Re-encode even playable streams (for tests and for sources whose copy misbehaves). */
  forceTranscode?: boolean;
  /** A probe the caller already ran, to avoid a second ffprobe. */
  probe?: ProbeResult;
  logger?: Logger;
}

export interface CutResult {
  /** e.g. `video/mp4; codecs="avc1.64001f, mp4a.40.2"`. */
  mimeType: string;
  /** RFC 6381 codec strings, video first. */
  codecs: string[];
  /** Seconds; equals the last chunk's start + duration. */
  duration: number;
  width: number | null;
  height: number | null;
  mode: IngestMode;
  sourceCodecs: string[];
  chunkCount: number;
  /** Init segment plus all chunks. */
  bytesOut: number;
  /** Set when keyframes were too far apart for the chunk duration asked for (see keyframe-note.ts). */
  keyframeNote: KeyframeNote | null;
}

export type CutEvent =
  | { type: 'init'; bytes: Uint8Array; mimeType: string }
  | { type: 'chunk'; index: number; start: number; duration: number; bytes: Uint8Array }
  | { type: 'progress'; mediaSeconds: number; totalSeconds: number | null; bytesOut: number }
  | { type: 'done'; result: CutResult };

/**
 * A cut that ends this much before the probed duration lost media: ffmpeg reads truncated Matroska/AVI
 * without complaint and simply stops early. Generous, because probed durations are sometimes estimates.
 */
function shortfallAllowed(expected: number): number {
  return Math.max(2, expected * 0.1);
}

/** Expected output duration: the chosen streams' own durations when known, else the container's. */
function expectedDuration(probe: ProbeResult, plan: IngestPlan): number | null {
  const own = [plan.video?.stream.duration, plan.audio?.stream.duration].filter(
    (value): value is number => typeof value === 'number',
  );
  return own.length > 0 ? Math.max(...own) : probe.duration;
}

/**
 * Cuts `file` into an init segment and chunks. Yields events in order: one 'init', then 'chunk' and
 * 'progress' events as ffmpeg produces them, then one 'done' (also the generator's return value).
 * Breaking out of the loop, or aborting `options.signal`, kills ffmpeg. If the generator throws, the
 * chunks already yielded must be discarded: the input turned out to be damaged or ffmpeg failed.
 */
export async function* cutVideo(
  file: string,
  options: CutOptions = {},
): AsyncGenerator<CutEvent, CutResult, undefined> {
  const target = resolveChunkTarget(options);
  const { signal } = options;
  const log = options.logger ?? silentLogger();
  signal?.throwIfAborted();
  const probe = options.probe ?? (await probeMedia(file, { signal }));
  signal?.throwIfAborted();
  const plan = planIngest(probe, { forceTranscode: options.forceTranscode });
  const args = buildFfmpegArgs(file, plan, target);
  log.info({ file, mode: plan.mode, reasons: plan.reasons, target }, 'cutting video');
  log.debug({ args }, 'ffmpeg arguments');

  const run = startFfmpeg(args, signal);
  // A fragment is part of one chunk, so none may be larger than a chunk may be.
  const stream = new Fmp4Stream(file, MAX_CHUNK_BYTES);
  const grouper = new ChunkGrouper(target);
  let timeline: FragmentTimeline | null = null;
  let mimeType = '';
  let codecs: string[] = [];
  let bytesOut = 0;
  let chunkCount = 0;
  try {
    for await (const data of run.stdout) {
      for (const item of stream.push(data as Buffer)) {
        if (item.kind === 'init') {
          timeline = new FragmentTimeline(item.init);
          ({ mimeType, codecs } = item);
          bytesOut += item.bytes.length;
          yield { type: 'init', bytes: item.bytes, mimeType };
        } else if (timeline !== null) {
          const { start, end, startsWithSync } = timeline.place(item.info);
          const closed = grouper.add({ parts: item.parts, bytes: item.bytes, start, end, startsWithSync });
          bytesOut += item.bytes;
          if (closed !== null) {
            chunkCount += 1;
            yield { type: 'chunk', ...closed };
          }
          yield {
            type: 'progress',
            mediaSeconds: roundTime(timeline.end),
            totalSeconds: probe.duration,
            bytesOut,
          };
        }
        signal?.throwIfAborted();
      }
    }
    const exit = await run.exited;
    signal?.throwIfAborted();
    const stderr = run.stderr();
    if (exit.code !== 0 || exit.spawnError !== null) throw ffmpegFailure(file, exit, stderr);
    const corrupt = run.corruption();
    if (corrupt !== null) throw corruptionError(file, corrupt, stderr);
    if (stderr.trim() !== '') log.warn({ file, stderr: stderr.slice(-2000) }, 'ffmpeg reported problems');
    const init = stream.finish();
    // The timeline comes with the init segment, which finish() has just checked was written.
    if (timeline === null) throw malformedOutput(file, new Error('no init segment was handed out'));

    const last = grouper.finish(timeline.end);
    if (last === null) {
      throw new PeerStreamerError(
        'CORRUPT_MEDIA',
        `${file} has no decodable audio or video samples (ffmpeg produced an empty stream); check that the file plays, or re-export it.`,
        { file },
      );
    }
    const expected = expectedDuration(probe, plan);
    if (expected !== null && timeline.end < expected - shortfallAllowed(expected)) {
      throw new PeerStreamerError(
        'CORRUPT_MEDIA',
        `${file} is truncated: its header says ${expected.toFixed(1)} s but media ends at ${timeline.end.toFixed(1)} s; download or copy the file again.`,
        { file, expected, actual: timeline.end },
      );
    }
    chunkCount += 1;
    yield { type: 'chunk', ...last };
    const video = init.tracks.find((track) => track.handler === 'vide');
    const result: CutResult = {
      mimeType,
      codecs,
      duration: roundTime(last.start + last.duration),
      width: video?.width ?? null,
      height: video?.height ?? null,
      mode: plan.mode,
      sourceCodecs: plan.sourceCodecs,
      chunkCount,
      bytesOut,
      keyframeNote: keyframeNote(file, target, grouper.spacing()),
    };
    log.info({ file, ...result }, 'cut finished');
    yield { type: 'done', result };
    return result;
  } finally {
    await run.stop();
  }
}

/**
 * Drives cutVideo into `sink` (the store, a directory, a socket). A full disk in the sink becomes
 * DISK_FULL naming the input, so the CLI can say what to do; any other sink error passes through.
 */
export async function cutVideoInto(
  file: string,
  options: CutOptions,
  sink: (event: CutEvent) => Promise<void> | void,
): Promise<CutResult> {
  let result: CutResult | null = null;
  for await (const event of cutVideo(file, options)) {
    try {
      await sink(event);
    } catch (error) {
      if (isDiskFull(error)) {
        const what =
          event.type === 'chunk'
            ? `chunk ${event.index}`
            : event.type === 'init'
              ? 'the init segment'
              : 'data';
        throw new PeerStreamerError(
          'DISK_FULL',
          `The disk is full: storing ${what} of ${file} failed (${errorMessage(error)}); free some space and add the video again.`,
          { file },
          { cause: error },
        );
      }
      throw error;
    }
    if (event.type === 'done') result = event.result;
  }
  if (result === null)
    throw new PeerStreamerError('INTERNAL', `cutting ${file} ended without a result; report this.`, { file });
  return result;
}
