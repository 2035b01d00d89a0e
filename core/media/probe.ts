/**
 * ffprobe -> typed facts about a source file, and the first place bad input is turned into a coded error:
 * a missing file (INPUT_NOT_FOUND), something that is not audio/video at all (NOT_MEDIA), or media that
 * is damaged or incomplete (CORRUPT_MEDIA).
 */
import { execFile } from 'node:child_process';
import { access, constants, open, stat } from 'node:fs/promises';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import { ffprobePath } from './ffmpeg-binaries.js';
import { checkIsoBmff, looksLikeIsoBmff } from './source-integrity.js';

export interface StreamInfo {
  /** ffmpeg's absolute stream index, for `-map 0:<index>`. */
  index: number;
  type: 'video' | 'audio' | 'subtitle' | 'data' | 'attachment' | 'unknown';
  codec: string;
  profile: string | null;
  pixFmt: string | null;
  width: number | null;
  height: number | null;
  channels: number | null;
  sampleRate: number | null;
  /** Cover art inside audio files shows up as a one-frame video stream; it is not the video. */
  attachedPicture: boolean;
  duration: number | null;
}

export interface ProbeResult {
  file: string;
  formatName: string;
  /** Seconds, or null when the container does not say (raw streams). */
  duration: number | null;
  size: number;
  streams: StreamInfo[];
}

/** Formats ffmpeg reads that are not audio/video a viewer would want: text art and single images. */
const NOT_VIDEO_FORMATS =
  /^(tty|bin|xbin|adf|idf|image2|.*_pipe|lrc|srt|ass|webvtt|subviewer.*|sami|ffmetadata)$/;
const NOT_VIDEO_CODECS = new Set(['ansi', 'bintext', 'xbin', 'idf']);
/**
 * ffprobe gives raw-stream guesses (h263, mpegvideo, ...) a score of 25 out of 100 when a few random
 * bytes happen to look like a start code; genuine containers score 100 and extension matches 50+.
 */
const MIN_PROBE_SCORE = 26;
const PROBE_TIMEOUT_MS = 60_000;

interface RawStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  channels?: number;
  sample_rate?: string;
  duration?: string;
  disposition?: { attached_pic?: number };
}

interface RawProbe {
  streams?: RawStream[];
  format?: { format_name?: string; duration?: string; size?: string; probe_score?: number };
}

function toNumber(value: unknown): number | null {
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : null;
}

function streamType(raw: string | undefined): StreamInfo['type'] {
  return raw === 'video' || raw === 'audio' || raw === 'subtitle' || raw === 'data' || raw === 'attachment'
    ? raw
    : 'unknown';
}

/** The last stderr line that says something, minus ffmpeg's `[demuxer @ 0x...]` prefix. */
export function lastMeaningfulLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').trim())
    .filter((line) => line !== '' && !/^(Conversion failed!|Exiting normally)/.test(line));
  return lines.at(-1) ?? '';
}

async function assertReadableFile(file: string): Promise<number> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new PeerStreamerError(
        'INPUT_NOT_FOUND',
        `${file} does not exist; check the path and try again.`,
        { file },
        { cause: error },
      );
    }
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${file} cannot be read (${errorMessage(error)}); check the path and its permissions.`,
      { file },
      { cause: error },
    );
  }
  if (!info.isFile()) {
    throw new PeerStreamerError('NOT_MEDIA', `${file} is not a file; give the path of a video file.`, {
      file,
    });
  }
  try {
    await access(file, constants.R_OK);
  } catch (error) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${file} is not readable by this user; fix its permissions and try again.`,
      { file },
      { cause: error },
    );
  }
  if (info.size === 0) {
    throw new PeerStreamerError(
      'NOT_MEDIA',
      `${file} is empty (0 bytes); it is not a video, check that it was copied or downloaded completely.`,
      { file, size: 0 },
    );
  }
  return info.size;
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, 16, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function assertIsoBmffComplete(file: string): Promise<void> {
  const check = await checkIsoBmff(file);
  if (check.kind === 'truncated') {
    throw new PeerStreamerError(
      'CORRUPT_MEDIA',
      `${file} is truncated: its '${check.boxType}' box at byte ${check.offset} needs ${check.declaredSize} bytes but the file ends at byte ${check.fileSize}; download or copy the file again.`,
      { file, ...check },
    );
  }
  if (check.kind === 'no-moov') {
    throw new PeerStreamerError(
      'CORRUPT_MEDIA',
      `${file} is an incomplete MP4: it has no 'moov' index (the recording or download was interrupted); download or copy the file again.`,
      { file },
    );
  }
}

function runFfprobe(
  file: string,
  signal?: AbortSignal,
): Promise<{ stdout: string; stderr: string; failed: boolean }> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '--', file];
  return new Promise((resolve, reject) => {
    execFile(
      ffprobePath(),
      args,
      { maxBuffer: 16 * 1024 * 1024, timeout: PROBE_TIMEOUT_MS, signal, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ABORT_ERR') {
          reject(signal?.reason ?? error);
          return;
        }
        if (error && typeof (error as { code?: unknown }).code === 'string') {
          // Spawning itself failed (ENOENT, EACCES): a tool problem, not an input problem.
          reject(
            new PeerStreamerError(
              'FFMPEG_FAILED',
              `ffprobe could not be started for ${file} (${errorMessage(error)}); set PEERSTREAMER_FFPROBE to a working ffprobe.`,
              { file },
              { cause: error },
            ),
          );
          return;
        }
        resolve({ stdout, stderr, failed: error !== null });
      },
    );
  });
}

/** Names the container a file's first bytes announce, or null when they announce none we know. */
function containerFromMagic(head: Buffer): string | null {
  if (looksLikeIsoBmff(head)) return 'an MP4';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return 'a Matroska/WebM file';
  if (
    head.length >= 12 &&
    head.toString('latin1', 0, 4) === 'RIFF' &&
    head.toString('latin1', 8, 11) === 'AVI'
  )
    return 'an AVI file';
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'OggS') return 'an Ogg file';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'FLV') return 'an FLV file';
  return null;
}

function classifyProbeFailure(file: string, stderr: string, head: Buffer): PeerStreamerError {
  const why = lastMeaningfulLine(stderr).replace(`${file}: `, '') || 'ffprobe failed without a message';
  if (/No such file or directory/i.test(stderr)) {
    return new PeerStreamerError('INPUT_NOT_FOUND', `${file} does not exist; check the path and try again.`, {
      file,
    });
  }
  // A file that starts like a known container but cannot be opened is damaged media, not a non-media file.
  const container = containerFromMagic(head);
  if (container !== null) {
    return new PeerStreamerError(
      'CORRUPT_MEDIA',
      `${file} looks like ${container} but cannot be read (${why}); the file is damaged or incomplete, download or copy it again.`,
      { file, ffprobe: why },
    );
  }
  return new PeerStreamerError(
    'NOT_MEDIA',
    `${file} is not a video or audio file (ffprobe: ${why}); choose a video file such as .mp4, .mkv or .webm.`,
    { file, ffprobe: why },
  );
}

function parseStreams(raw: RawProbe): StreamInfo[] {
  return (raw.streams ?? []).map((stream, position) => ({
    index: typeof stream.index === 'number' ? stream.index : position,
    type: streamType(stream.codec_type),
    codec: stream.codec_name ?? 'unknown',
    profile: stream.profile ?? null,
    pixFmt: stream.pix_fmt ?? null,
    width: toNumber(stream.width),
    height: toNumber(stream.height),
    channels: toNumber(stream.channels),
    sampleRate: toNumber(stream.sample_rate),
    attachedPicture: stream.disposition?.attached_pic === 1,
    duration: toNumber(stream.duration),
  }));
}

/** Probes `file`; throws INPUT_NOT_FOUND, NOT_MEDIA or CORRUPT_MEDIA for input that cannot be ingested. */
export async function probeMedia(file: string, options: { signal?: AbortSignal } = {}): Promise<ProbeResult> {
  const size = await assertReadableFile(file);
  const head = await readHead(file);
  if (looksLikeIsoBmff(head)) await assertIsoBmffComplete(file);

  const { stdout, stderr, failed } = await runFfprobe(file, options.signal);
  if (failed) throw classifyProbeFailure(file, stderr, head);

  let raw: RawProbe;
  try {
    raw = JSON.parse(stdout) as RawProbe;
  } catch (error) {
    throw new PeerStreamerError(
      'FFMPEG_FAILED',
      `ffprobe printed something that is not JSON for ${file}; check that PEERSTREAMER_FFPROBE names a real ffprobe.`,
      { file },
      { cause: error },
    );
  }
  const formatName = raw.format?.format_name ?? 'unknown';
  const score = toNumber(raw.format?.probe_score) ?? 100;
  const streams = parseStreams(raw);
  const playable = streams.filter(
    (stream) =>
      (stream.type === 'video' && !stream.attachedPicture && !NOT_VIDEO_CODECS.has(stream.codec)) ||
      stream.type === 'audio',
  );
  if (score < MIN_PROBE_SCORE || NOT_VIDEO_FORMATS.test(formatName) || playable.length === 0) {
    const why =
      score < MIN_PROBE_SCORE
        ? `ffprobe could only guess its format (${formatName}, confidence ${score}/100)`
        : playable.length === 0
          ? `it has no audio or video stream (format ${formatName})`
          : `ffprobe reads it as ${formatName}, which is not a video`;
    throw new PeerStreamerError(
      'NOT_MEDIA',
      `${file} is not a video or audio file: ${why}; choose a video file such as .mp4, .mkv or .webm.`,
      { file, formatName, probeScore: score },
    );
  }

  const streamDurations = playable.map((stream) => stream.duration).filter((d): d is number => d !== null);
  const duration =
    toNumber(raw.format?.duration) ?? (streamDurations.length > 0 ? Math.max(...streamDurations) : null);
  return { file, formatName, duration, size, streams };
}
