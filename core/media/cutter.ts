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
import { PeerStreamerError, errorMessage, isDiskFull, isPeerStreamerError } from '../util/errors.js';
import { resolveChunkTarget, type ChunkOptions } from './chunk-options.js';
import { ChunkGrouper, roundTime } from './chunk-grouper.js';
import { keyframeNote, type KeyframeNote } from './keyframe-note.js';
import { buildFfmpegArgs } from './ffmpeg-args.js';
import { corruptionError, ffmpegFailure, startFfmpeg } from './ffmpeg-process.js';
import {
  parseFragment,
  parseInitSegment,
  type FragmentInfo,
  type InitInfo,
  type TrackInfo,
} from './fmp4-parse.js';
import { BoxStreamReader, type Box } from './mp4-boxes.js';
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

function malformed(file: string, error: unknown): PeerStreamerError {
  if (isPeerStreamerError(error)) return error;
  return new PeerStreamerError(
    'FFMPEG_FAILED',
    `ffmpeg's output for ${file} could not be parsed as fragmented MP4 (${errorMessage(error)}); check the ffmpeg build (PEERSTREAMER_FFMPEG).`,
    { file },
    { cause: error },
  );
}

function mimeTypeOf(tracks: TrackInfo[]): { mimeType: string; codecs: string[] } {
  const video = tracks.filter((track) => track.handler === 'vide');
  const audio = tracks.filter((track) => track.handler === 'soun');
  const codecs = [...video, ...audio].map((track) => track.codec);
  const kind = video.length > 0 ? 'video' : 'audio';
  return { mimeType: `${kind}/mp4; codecs="${codecs.join(', ')}"`, codecs };
}

/** Expected output duration: the chosen streams' own durations when known, else the container's. */
function expectedDuration(probe: ProbeResult, plan: IngestPlan): number | null {
  const own = [plan.video?.stream.duration, plan.audio?.stream.duration].filter(
    (value): value is number => typeof value === 'number',
  );
  return own.length > 0 ? Math.max(...own) : probe.duration;
}

/** Turns parsed fragments into player-timeline seconds (see the module comment). */
class Timeline {
  private origin: number | null = null;
  private timingTrackId: number;
  end = 0;

  constructor(init: InitInfo) {
    const timing = init.tracks.find((track) => track.handler === 'vide') ?? init.tracks[0]!;
    this.timingTrackId = timing.id;
  }

  place(info: FragmentInfo): { start: number; end: number; startsWithSync: boolean } {
    if (this.origin === null) {
      const starts = info.tracks.map((track) => track.baseDecodeTime / track.timescale);
      this.origin = starts.length > 0 ? Math.min(...starts) : 0;
    }
    const origin = this.origin;
    const timing = info.tracks.find((track) => track.trackId === this.timingTrackId);
    let end = this.end;
    for (const track of info.tracks) end = Math.max(end, track.presentationEnd / track.timescale - origin);
    this.end = end;
    if (timing === undefined) return { start: end, end, startsWithSync: false };
    return {
      start: Math.max(0, timing.firstPresentationTime / timing.timescale - origin),
      end,
      startsWithSync: timing.firstSampleIsSync,
    };
  }
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
  const reader = new BoxStreamReader(MAX_CHUNK_BYTES);
  const grouper = new ChunkGrouper(target);
  let ftyp: Box | null = null;
  let init: InitInfo | null = null;
  let timeline: Timeline | null = null;
  let mimeType = '';
  let codecs: string[] = [];
  let moof: { box: Box; info: FragmentInfo } | null = null;
  let bytesOut = 0;
  let chunkCount = 0;
  try {
    for await (const data of run.stdout) {
      let boxes: Box[];
      try {
        boxes = reader.push(data as Buffer);
      } catch (error) {
        throw malformed(file, error);
      }
      for (const box of boxes) {
        if (box.type === 'ftyp') {
          ftyp = box;
        } else if (box.type === 'moov') {
          if (ftyp === null || init !== null) throw malformed(file, new Error('moov not right after ftyp'));
          try {
            init = parseInitSegment(box);
          } catch (error) {
            throw malformed(file, error);
          }
          timeline = new Timeline(init);
          ({ mimeType, codecs } = mimeTypeOf(init.tracks));
          const bytes = Buffer.concat([ftyp.bytes, box.bytes]);
          bytesOut += bytes.length;
          yield { type: 'init', bytes, mimeType };
        } else if (box.type === 'moof') {
          if (init === null) throw malformed(file, new Error('moof before moov'));
          try {
            moof = { box, info: parseFragment(box, init) };
          } catch (error) {
            throw malformed(file, error);
          }
        } else if (box.type === 'mdat') {
          if (moof === null || timeline === null) throw malformed(file, new Error('mdat without moof'));
          const placed = timeline.place(moof.info);
          const fragmentBytes = moof.box.bytes.length + box.bytes.length;
          const closed = grouper.add({ parts: [moof.box.bytes, box.bytes], bytes: fragmentBytes, ...placed });
          moof = null;
          bytesOut += fragmentBytes;
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
        // mfra (a random-access index of offsets in one big file), free and udta mean nothing to chunks.
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
    if (reader.pendingBytes > 0)
      throw malformed(file, new Error(`output ends inside a box (${reader.pendingBytes} bytes left)`));
    if (init === null || timeline === null)
      throw malformed(file, new Error('no init segment (ftyp+moov) was written'));
    if (moof !== null) throw malformed(file, new Error('the last moof has no mdat'));

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
