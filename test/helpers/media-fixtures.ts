/**
 * The media fixtures for tests, in one place: source files generated with ffmpeg's lavfi sources
 * (testsrc2 picture, sine tone) so the repository carries no binary video, and clips cut from them
 * by core's own cutter, so a test's chunks are the chunks a node would store.
 *
 * Each file is made once and cached in a temp directory keyed by the exact ffmpeg arguments and the
 * ffmpeg the project resolves (core/media/ffmpeg-binaries.ts), so parallel test files and repeated
 * runs share it; writes go to a temporary name and are renamed into place, so a half-written fixture
 * is never seen.
 *
 * Set PEERSTREAMER_MEDIA_FIXTURES to choose the cache directory.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildManifest } from '../../core/media/manifest-builder.js';
import { cutVideo, type CutEvent } from '../../core/media/cutter.js';
import { ffmpegPath } from '../../core/media/ffmpeg-binaries.js';
import type { MediaManifest } from '../../core/shared/manifest.js';

const run = promisify(execFile);

export interface MediaFixture {
  path: string;
  /** What the fixture is meant to exercise, for test names. */
  description: string;
  /** Seconds of media ffmpeg was asked for. */
  seconds: number;
}

export function fixtureDir(): string {
  const dir =
    process.env.PEERSTREAMER_MEDIA_FIXTURES ?? path.join(os.tmpdir(), 'peerstreamer-media-fixtures');
  mkdirSync(dir, { recursive: true });
  return dir;
}

const pending = new Map<string, Promise<string>>();

/** Runs ffmpeg with `args` (output file last, as `{out}`) unless that exact fixture already exists. */
export async function generateFixture(name: string, extension: string, args: string[]): Promise<string> {
  const key = createHash('sha256')
    .update(JSON.stringify([ffmpegPath(), args]))
    .digest('hex')
    .slice(0, 12);
  const target = path.join(fixtureDir(), `${name}-${key}.${extension}`);
  if (existsSync(target)) return target;
  let job = pending.get(target);
  if (job === undefined) {
    job = (async () => {
      const temporary = `${target}.${process.pid}.${Date.now()}.partial.${extension}`;
      try {
        await run(
          ffmpegPath(),
          ['-nostdin', '-v', 'error', '-y', ...args.map((arg) => (arg === '{out}' ? temporary : arg))],
          {
            maxBuffer: 16 * 1024 * 1024,
          },
        );
        renameSync(temporary, target);
      } finally {
        rmSync(temporary, { force: true });
      }
      return target;
    })();
    pending.set(target, job);
  }
  return job;
}

function lavfiVideo(size: string, rate: number, seconds: number): string[] {
  return ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`];
}

function lavfiTone(seconds: number, sampleRate = 48000): string[] {
  return ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${sampleRate}:duration=${seconds}`];
}

const X264_FAST = ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'];

/** A testsrc2 picture with a tone, H.264/AAC, keyframes at a fixed interval (scene cuts off). */
export interface ClipSpec {
  seconds: number;
  /** Default 640x360. */
  width?: number;
  height?: number;
  /** Frames per second, default 25. */
  rate?: number;
  /** Seconds between keyframes, default 2: a chunk can only start on one. */
  keyframeSeconds?: number;
}

/** The clip `spec` describes, as a plain faststart MP4: what a user would hand to `peerstreamer add`. */
export async function h264AacClip(spec: ClipSpec): Promise<MediaFixture> {
  const { seconds, width = 640, height = 360, rate = 25, keyframeSeconds = 2 } = spec;
  const size = `${width}x${height}`;
  const gop = String(Math.round(keyframeSeconds * rate));
  const file = await generateFixture(`h264-aac-${size}-${rate}fps-gop${gop}`, 'mp4', [
    ...lavfiVideo(size, rate, seconds),
    ...lavfiTone(seconds),
    ...X264_FAST,
    ...['-g', gop, '-keyint_min', gop, '-sc_threshold', '0'],
    ...['-c:a', 'aac', '-b:a', '64k', '-shortest', '-movflags', '+faststart', '{out}'],
  ]);
  return { path: file, description: `H.264/AAC ${size} ${rate} fps, ${keyframeSeconds} s GOP`, seconds };
}

/**
 * 320x180 at 24 fps with a keyframe every second: small and quick to cut, one chunk a second with
 * `--chunk-duration 1s`, and a whole number of frames (24) in each.
 */
export function smallClip(seconds = 6): Promise<MediaFixture> {
  return h264AacClip({ seconds, width: 320, height: 180, rate: 24, keyframeSeconds: 1 });
}

/** A video as a node stores it, held in memory: for backends that serve it without a store. */
export interface CutClip {
  manifest: MediaManifest;
  init: Uint8Array;
  chunks: Uint8Array[];
  /** The source file it was cut from. */
  file: string;
}

/**
 * The clip `spec` describes, cut into an init segment and chunks by core's cutter (remuxed, one
 * chunk per keyframe interval) with the manifest core's builder makes of them.
 */
export async function cutClip(name: string, spec: ClipSpec): Promise<CutClip> {
  const { path: file } = await h264AacClip(spec);
  const events: CutEvent[] = [];
  for await (const event of cutVideo(file, { chunkDuration: spec.keyframeSeconds ?? 2 })) events.push(event);
  const init = events.find((event) => event.type === 'init')!.bytes;
  const chunks = events.flatMap((event) => (event.type === 'chunk' ? [event.bytes] : []));
  return { manifest: buildManifest(name, events), init, chunks, file };
}

/** H.264 High + AAC LC, 1280x720 30 fps, a keyframe every 2 s, a normal (non-fragmented, faststart) MP4. */
export async function h264Aac720p(seconds = 8): Promise<MediaFixture> {
  const file = await generateFixture('h264-aac-720p', 'mp4', [
    ...lavfiVideo('1280x720', 30, seconds),
    ...lavfiTone(seconds),
    ...X264_FAST,
    ...['-g', '60', '-keyint_min', '60', '-sc_threshold', '0'],
    ...['-c:a', 'aac', '-b:a', '128k', '-shortest', '-movflags', '+faststart', '{out}'],
  ]);
  return { path: file, description: 'H.264/AAC 720p, 2 s GOP, MP4', seconds };
}

/** H.264 + AAC whose keyframes sit at irregular times (0, 0.7, 3.1, 3.5, 6.2, 7.4 s), scene cuts off. */
export const IRREGULAR_KEYFRAMES = [0, 0.7, 3.1, 3.5, 6.2, 7.4];
export async function h264IrregularKeyframes(seconds = 9): Promise<MediaFixture> {
  const file = await generateFixture('h264-irregular-gop', 'mp4', [
    ...lavfiVideo('640x360', 30, seconds),
    ...lavfiTone(seconds),
    ...X264_FAST,
    ...['-g', '1000', '-sc_threshold', '0', '-force_key_frames', IRREGULAR_KEYFRAMES.join(',')],
    ...['-c:a', 'aac', '-shortest', '{out}'],
  ]);
  return { path: file, description: 'H.264/AAC, irregular keyframes', seconds };
}

/** H.264 only, no audio track, 24 fps with a 2 s GOP, in MP4. */
export async function h264VideoOnly(seconds = 6): Promise<MediaFixture> {
  const file = await generateFixture('h264-video-only', 'mp4', [
    ...lavfiVideo('480x270', 24, seconds),
    ...X264_FAST,
    ...['-g', '48', '-sc_threshold', '0', '-an', '{out}'],
  ]);
  return { path: file, description: 'H.264 video only', seconds };
}

/** MPEG-4 Part 2 video + MP3 audio in AVI: neither plays in MediaSource, so both are transcoded. */
export async function mpeg4Mp3Avi(seconds = 6): Promise<MediaFixture> {
  const file = await generateFixture('mpeg4-mp3', 'avi', [
    ...lavfiVideo('480x270', 25, seconds),
    ...lavfiTone(seconds, 44100),
    ...[
      '-c:v',
      'mpeg4',
      '-q:v',
      '5',
      '-g',
      '250',
      '-c:a',
      'libmp3lame',
      '-b:a',
      '128k',
      '-shortest',
      '{out}',
    ],
  ]);
  return { path: file, description: 'MPEG-4 Part 2/MP3 in AVI', seconds };
}

/**
 * 40 s of MPEG-4 Part 2 in Matroska: not playable in a browser, so an add transcodes it, which takes
 * seconds (long enough to leave in the middle).
 */
export async function slowClip(): Promise<MediaFixture> {
  const file = await generateFixture('control-transcode', 'mkv', [
    ...lavfiVideo('640x360', 25, 40),
    ...['-c:v', 'mpeg4', '-q:v', '5', '{out}'],
  ]);
  return { path: file, description: 'MPEG-4 Part 2 in Matroska, 40 s', seconds: 40 };
}

/** H.264 + MP3 in Matroska: the video is copied, the audio transcoded to AAC. */
export async function h264Mp3Mkv(seconds = 6): Promise<MediaFixture> {
  const file = await generateFixture('h264-mp3', 'mkv', [
    ...lavfiVideo('480x270', 25, seconds),
    ...lavfiTone(seconds, 44100),
    ...X264_FAST,
    ...['-g', '50', '-sc_threshold', '0', '-c:a', 'libmp3lame', '-b:a', '128k', '-shortest', '{out}'],
  ]);
  return { path: file, description: 'H.264/MP3 in Matroska', seconds };
}

/** H.264 + AAC in MPEG-TS (as cameras and broadcast recorders write them): ADTS-framed audio. */
export async function h264AacMpegTs(seconds = 6): Promise<MediaFixture> {
  const file = await generateFixture('h264-aac-ts', 'ts', [
    ...lavfiVideo('480x270', 25, seconds),
    ...lavfiTone(seconds, 48000),
    ...X264_FAST,
    ...['-g', '50', '-sc_threshold', '0', '-c:a', 'aac', '-b:a', '128k', '-shortest', '{out}'],
  ]);
  return { path: file, description: 'H.264/AAC in MPEG-TS', seconds };
}

/** VP9 + Opus in WebM, remuxed into fMP4 as they are. */
export async function vp9OpusWebm(seconds = 6): Promise<MediaFixture> {
  const file = await generateFixture('vp9-opus', 'webm', [
    ...lavfiVideo('320x180', 24, seconds),
    ...lavfiTone(seconds),
    ...['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '48'],
    ...['-c:a', 'libopus', '-b:a', '64k', '-shortest', '{out}'],
  ]);
  return { path: file, description: 'VP9/Opus in WebM', seconds };
}

/** AAC audio only, in M4A. */
export async function aacAudioOnly(seconds = 7): Promise<MediaFixture> {
  const file = await generateFixture('aac-audio-only', 'm4a', [
    ...lavfiTone(seconds),
    ...['-c:a', 'aac', '-b:a', '128k', '{out}'],
  ]);
  return { path: file, description: 'AAC audio only', seconds };
}
