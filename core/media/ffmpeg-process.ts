/**
 * One ffmpeg child process: stdout is left for the caller to stream, stderr is kept as a bounded tail for
 * error messages, an AbortSignal kills it, and stop() makes sure it is gone before the caller moves on.
 */
import { spawn, type ChildProcessByStdio, type StdioOptions } from 'node:child_process';
import type { Readable } from 'node:stream';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import { ffmpegPath } from './ffmpeg-binaries.js';
import { lastMeaningfulLine } from './probe.js';

/** Enough stderr to hold ffmpeg's last few complaints without growing with a long, noisy run. */
const STDERR_TAIL_BYTES = 64 * 1024;

export interface FfmpegExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  spawnError: Error | null;
}

export interface FfmpegRunOptions {
  /**
   * Opens fd 3 as a pipe for `-progress pipe:3`: ffmpeg's key=value progress blocks, kept apart from
   * stderr so that error messages quote ffmpeg's complaints and not its counters.
   */
  progressPipe?: boolean;
}

export interface FfmpegRun {
  stdout: Readable;
  /** fd 3, when asked for with `progressPipe`. */
  progress: Readable | null;
  exited: Promise<FfmpegExit>;
  stderr(): string;
  /** The first stderr line that says the input is damaged, even if it has scrolled out of the tail. */
  corruption(): string | null;
  /** Kills the process if it is still running and waits for it to exit. */
  stop(): Promise<void>;
  /**
   * Asks ffmpeg to finish (SIGINT: it writes what it holds and its trailer, then exits), and kills it
   * if it has not exited after `graceMs`. Resolves once it has exited.
   */
  finish(graceMs: number): Promise<FfmpegExit>;
}

export function startFfmpeg(args: string[], signal?: AbortSignal, options: FfmpegRunOptions = {}): FfmpegRun {
  const binary = ffmpegPath();
  // fd 3 exists only when asked for: a pipe ffmpeg never writes to would only cost a file descriptor.
  const stdio: StdioOptions =
    options.progressPipe === true ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'];
  const child = spawn(binary, args, { stdio }) as ChildProcessByStdio<null, Readable, Readable>;
  const progress = options.progressPipe === true ? (child.stdio[3] as Readable) : null;
  let stderrTail = '';
  let partialLine = '';
  let corruption: string | null = null;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderrTail = (stderrTail + text).slice(-STDERR_TAIL_BYTES);
    if (corruption !== null) return;
    const lines = (partialLine + text).split(/\r?\n/);
    partialLine = (lines.pop() ?? '').slice(-STDERR_TAIL_BYTES);
    corruption = lines.map(cleanLine).find((line) => CORRUPTION.test(line)) ?? null;
  });
  let running = true;
  let spawnError: Error | null = null;
  const exited = new Promise<FfmpegExit>((resolve) => {
    child.once('error', (error) => {
      spawnError = error;
      // 'close' does not always follow a failed spawn.
      if (child.pid === undefined) {
        running = false;
        resolve({ code: null, signal: null, spawnError: error });
      }
    });
    child.once('close', (code, exitSignal) => {
      running = false;
      resolve({ code, signal: exitSignal, spawnError });
    });
  });
  const kill = (): void => {
    if (running) child.kill('SIGKILL');
  };
  signal?.addEventListener('abort', kill, { once: true });
  void exited.then(() => signal?.removeEventListener('abort', kill));
  return {
    stdout: child.stdout,
    progress,
    exited,
    stderr: () => stderrTail,
    corruption: () => corruption ?? (CORRUPTION.test(partialLine) ? cleanLine(partialLine) : null),
    async stop() {
      kill();
      child.stdout.destroy();
      await exited;
    },
    async finish(graceMs) {
      if (running) child.kill('SIGINT');
      const timer = setTimeout(kill, graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Messages from demuxers and decoders that mean the input itself is damaged, not that ffmpeg broke.
 * Decoders report concealed damage at warning level ("P cbpy damaged", "Error at MB", "corrupt decoded
 * frame"), which is why the cut runs ffmpeg with `-v warning`.
 */
const CORRUPTION =
  /partial file|invalid nal unit|error while decoding|corrupt|damaged|error at mb|invalid data found|missing picture|decode_slice_header error|concealing \d+|truncat|non-existing pps|header missing|invalid frame|ebml header parsing failed|read error|stream ends prematurely|moov atom not found|error reading|packet too small|invalid (?:packet|block)/i;

function cleanLine(line: string): string {
  return line.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').trim();
}

function firstCorruptionLine(stderr: string): string | null {
  const line = stderr.split(/\r?\n/).find((candidate) => CORRUPTION.test(candidate));
  return line === undefined ? null : cleanLine(line);
}

/** A CORRUPT_MEDIA error for `file` quoting ffmpeg's first complaint about the input. */
export function corruptionError(file: string, line: string, stderr: string): PeerStreamerError {
  return new PeerStreamerError(
    'CORRUPT_MEDIA',
    `${file} is damaged or incomplete: ffmpeg reported "${line}"; download or copy the file again, or re-export it.`,
    { file, stderr: stderr.slice(-2000) },
  );
}

/** Turns an unsuccessful ffmpeg run into one coded, one-line error naming the input. */
export function ffmpegFailure(file: string, exit: FfmpegExit, stderr: string): PeerStreamerError {
  if (exit.spawnError !== null) {
    return new PeerStreamerError(
      'FFMPEG_FAILED',
      `ffmpeg could not be started for ${file} (${errorMessage(exit.spawnError)}); set PEERSTREAMER_FFMPEG to a working ffmpeg.`,
      { file },
      { cause: exit.spawnError },
    );
  }
  const last = lastMeaningfulLine(stderr) || `exit code ${String(exit.code)}, signal ${String(exit.signal)}`;
  const context = { file, exitCode: exit.code, signal: exit.signal, stderr: stderr.slice(-2000) };
  if (/no space left on device|disk quota exceeded/i.test(stderr)) {
    return new PeerStreamerError(
      'DISK_FULL',
      `The disk filled up while ffmpeg was processing ${file} (${last}); free some space and try again.`,
      context,
    );
  }
  const corrupt = firstCorruptionLine(stderr);
  if (corrupt !== null) return corruptionError(file, corrupt, stderr);
  return new PeerStreamerError(
    'FFMPEG_FAILED',
    `ffmpeg failed on ${file}: ${last}; run the same file through \`ffmpeg -i\` to see why, or report it with this message.`,
    context,
  );
}
