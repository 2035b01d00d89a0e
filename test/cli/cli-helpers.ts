/**
 * Helpers for the CLI tests: every check goes through the compiled `peerstreamer` (runCli), real files,
 * real ffmpeg and real stores in temp directories. What a test asserts about a failed command is what a
 * user would see: one line on stderr, a non-zero exit, and a store exactly as it was.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { assertBuilt, runCli, type CliResult } from '../helpers/swarm.js';
import { generateFixture, type MediaFixture } from '../helpers/media-fixtures.js';
import type { VideoSummary } from '../../core/store/types.js';
import { ffprobePath } from '../../core/media/ffmpeg-binaries.js';

const run = promisify(execFile);

export { runCli } from '../helpers/swarm.js';
export { decodeErrors, firstVideoFrame } from '../media/media-checks.js';
export type { CliResult };

/** Runs the CLI and fails the test, showing stderr, unless it exits 0. */
export async function mustRun(args: string[]): Promise<CliResult> {
  assertBuilt();
  const result = await runCli(args);
  if (result.code !== 0) {
    throw new Error(`peerstreamer ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  }
  return result;
}

/**
 * A clip of about 3.3 MB that remuxing cannot shrink: bigger than the 2 MiB tmpfs the
 * disk-full test ingests it into. High-entropy noise keeps the bitrate up at a small resolution.
 */
export async function bulkyClip(): Promise<MediaFixture> {
  const file = await generateFixture('cli-bulky-noise', 'mp4', [
    ...['-f', 'lavfi', '-i', 'nullsrc=size=320x240:rate=24:duration=4,geq=random(1)*255:128:128'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '24'],
    ...['-b:v', '6M', '-maxrate', '6M', '-bufsize', '6M', '{out}'],
  ]);
  return { path: file, description: 'H.264 noise, about 6 Mbit/s', seconds: 4 };
}

/** What `ls --json` says, parsed. */
export async function listStore(store: string): Promise<VideoSummary[]> {
  const result = await mustRun(['ls', '--store', store, '--json']);
  return JSON.parse(result.stdout) as VideoSummary[];
}

/** Every file under `dir` (relative paths, sorted); [] when it does not exist. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else found.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return found.sort();
}

/** What a store holds as a user (ls --json) and as a disk (blob files, temp files) would see it. */
export interface StoreSnapshot {
  ls: VideoSummary[];
  blobs: string[];
  tmp: string[];
}

/** Takes the on-disk listing first: `ls` itself opens the store, which may repair it. */
export async function snapshot(store: string): Promise<StoreSnapshot> {
  const blobs = filesUnder(path.join(store, 'blobs'));
  const tmp = filesUnder(path.join(store, 'tmp'));
  return { ls: await listStore(store), blobs, tmp };
}

/** The store is exactly as it was: same videos and manifests, no new blob files, nothing in tmp/. */
export async function expectUnchanged(store: string, before: StoreSnapshot): Promise<void> {
  const after = await snapshot(store);
  expect(after.ls).toEqual(before.ls);
  expect(after.blobs).toEqual(before.blobs);
  expect(after.tmp).toEqual([]);
}

/** What `add` prints while it works, before any failure: not part of the error. */
const PROGRESS_LINE = /^adding .+: \d{1,3}% .+ ETA \S+$/;

/**
 * A failed command as a user should see it: a non-zero exit, nothing on stdout, and exactly one line on
 * stderr (after any progress lines) that matches every pattern (patterns name the input and the way out).
 */
export function expectOneLineError(result: CliResult, ...patterns: RegExp[]): string {
  const text = result.stderr;
  expect(result.code, `exit code; stderr: ${text}`).not.toBe(0);
  expect(result.stdout).toBe('');
  expect(text.endsWith('\n'), `stderr should end with a newline: ${JSON.stringify(text)}`).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  while (lines.length > 1 && PROGRESS_LINE.test(lines[0]!)) lines.shift();
  expect(lines, `one line of stderr: ${JSON.stringify(text)}`).toHaveLength(1);
  const line = lines[0]!;
  expect(line).toMatch(/^peerstreamer: error: /);
  expect(line).not.toMatch(/unexpected error/);
  for (const pattern of patterns) expect(line).toMatch(pattern);
  return line;
}

/** Escapes text for use inside a RegExp, so file paths can be matched literally. */
export function literal(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

/**
 * Video frames in `file` and the time its first one is shown: what a player gets from an export. (For
 * fragmented MP4 ffprobe's format duration is the end time, not the length, so frames are counted.)
 */
export async function videoFramesAndStart(file: string): Promise<{ frames: number; start: number }> {
  const { stdout } = await run(ffprobePath(), [
    ...['-v', 'error', '-select_streams', 'v:0', '-count_packets'],
    ...['-show_entries', 'stream=nb_read_packets:format=start_time', '-of', 'json', file],
  ]);
  const parsed = JSON.parse(stdout) as {
    streams: Array<{ nb_read_packets: string }>;
    format: { start_time: string };
  };
  return { frames: Number(parsed.streams[0]!.nb_read_packets), start: Number(parsed.format.start_time) };
}

/**
 * Mounts a tmpfs (root only). Failing to mount fails the test with the reason: a skipped disk-full or
 * read-only test would look like a pass.
 */
export async function mountTmpfs(dir: string, options: string): Promise<void> {
  try {
    await run('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  } catch (error) {
    const why = String((error as { stderr?: string }).stderr ?? error).trim();
    throw new Error(
      `could not mount a tmpfs at ${dir} (${why}). These tests need root (or CAP_SYS_ADMIN) to mount a small or read-only file system; run them as root.`,
      { cause: error },
    );
  }
}

/** A read-only view of `source` at `target` (a bind mount remounted read-only); root only. */
export async function bindReadOnly(source: string, target: string): Promise<void> {
  try {
    await run('mount', ['--bind', source, target]);
    await run('mount', ['-o', 'remount,bind,ro', target]);
  } catch (error) {
    const why = String((error as { stderr?: string }).stderr ?? error).trim();
    await run('umount', [target]).catch(() => undefined);
    throw new Error(
      `could not bind-mount ${source} read-only at ${target} (${why}). This test needs root (or CAP_SYS_ADMIN); run it as root.`,
      { cause: error },
    );
  }
}

export async function unmount(dir: string): Promise<void> {
  if (!isMountPoint(dir)) return;
  try {
    await run('umount', [dir]);
  } catch {
    // Busy (a child still had a file open): detach it now, the kernel frees it once unused.
    await run('umount', ['-l', dir]);
  }
}

/** From the kernel's mount table: a bind mount shares its device with its parent, so stat cannot tell. */
function isMountPoint(dir: string): boolean {
  const target = path.resolve(dir);
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === target);
}
