/**
 * Helpers for the live cutter's tests: collect what a cut hands out with the wall-clock time it
 * arrived, make small sources with ffmpeg, publish into a listener, and wait for a listener to be
 * bound (read from /proc, because connecting to an RTMP listener to test it would use up its one
 * publisher).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { ffmpegPath, ffprobePath } from '../../core/media/ffmpeg-binaries.js';
import type { LiveChunk } from '../../core/media/live-chunk-assembler.js';
import type { LiveCutterOptions, LiveInit } from '../../core/media/live-cutter.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);

export interface Collected {
  startedAt: number;
  inits: Array<LiveInit & { arrivedAt: number }>;
  chunks: Array<LiveChunk & { arrivedAt: number }>;
  /** Options that record into this collection; spread into startLiveCutter's options. */
  handlers: Pick<LiveCutterOptions, 'onInit' | 'onChunk'>;
}

export function collector(): Collected {
  const collected: Collected = {
    startedAt: Date.now(),
    inits: [],
    chunks: [],
    handlers: {
      onInit: (init) => collected.inits.push({ ...init, arrivedAt: Date.now() }),
      onChunk: (chunk) => collected.chunks.push({ ...chunk, arrivedAt: Date.now() }),
    },
  };
  return collected;
}

/** Runs ffmpeg to completion with small, cheap settings; throws with its stderr if it fails. */
export async function ffmpeg(args: string[]): Promise<void> {
  await run(ffmpegPath(), ['-nostdin', '-hide_banner', '-v', 'error', '-y', ...args]);
}

/** A small H.264 (1 s GOP) + AAC MP4 of `seconds`. */
export async function makeH264AacFile(file: string, seconds: number): Promise<void> {
  await ffmpeg([
    ...['-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=25:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p'],
    ...['-c:a', 'aac', '-b:a', '64k', '-shortest', file],
  ]);
}

export async function makeAudioOnlyFile(file: string): Promise<void> {
  await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=1', '-c:a', 'aac', file]);
}

/**
 * Starts an ffmpeg that publishes a 320x180, 25 fps test pattern in real time to `url` (FLV for rtmp,
 * TS for srt), with a keyframe every `gopFrames` frames.
 */
export function publish(url: string, seconds: number, gopFrames = 25): ChildProcess {
  const format = url.startsWith('srt:') ? 'mpegts' : 'flv';
  return spawn(
    ffmpegPath(),
    [
      ...['-nostdin', '-hide_banner', '-v', 'error', '-re'],
      ...['-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=25:duration=${seconds}`],
      ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
      ...[
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-tune',
        'zerolatency',
        '-g',
        String(gopFrames),
        '-pix_fmt',
        'yuv420p',
      ],
      ...['-c:a', 'aac', '-b:a', '64k', '-f', format, url],
    ],
    { stdio: 'ignore' },
  );
}

/** Resolves once `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function bound(table: string, port: number, state: string | null): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync(table, 'utf8')
    .split('\n')
    .slice(1)
    .some((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[1]?.endsWith(`:${hex}`) === true && (state === null || fields[3] === state);
    });
}

/** Waits until something listens on TCP `port` (state 0A is LISTEN). */
export function waitForTcpListener(port: number): Promise<true> {
  return waitFor(() => bound('/proc/net/tcp', port, '0A'), `a TCP listener on port ${port}`, 10_000);
}

/** Waits until a UDP socket is bound to `port` (SRT runs over UDP). */
export function waitForUdpSocket(port: number): Promise<true> {
  return waitFor(() => bound('/proc/net/udp', port, null), `a UDP socket on port ${port}`, 10_000);
}

/** Whether the first video packet of `file` is a keyframe, as ffprobe (not our parser) reads it. */
export async function firstVideoFrameIsKey(file: string): Promise<boolean> {
  const { stdout } = await run(ffprobePath(), [
    ...['-v', 'error', '-select_streams', 'v:0', '-read_intervals', '%+#1'],
    ...['-show_entries', 'packet=flags', '-of', 'csv=p=0', file],
  ]);
  // Flags read like "K_" for a keyframe, "__" for any other packet.
  return stdout.trim().startsWith('K');
}
