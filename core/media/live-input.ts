/**
 * What a live stream can come from, and the check of each value before any ffmpeg starts. Every
 * problem is one INVALID_ARGUMENT line naming the field, the value and what would be accepted: these
 * values come from a CLI flag, a settings screen or a config file, and the person who typed them
 * reads the message.
 */
import path from 'node:path';
import { PeerStreamerError } from '../util/errors.js';

export type LiveInput =
  /** ffmpeg's moving test card (testsrc2) with a 440 Hz tone, made in real time. */
  | { kind: 'test-pattern'; width?: number; height?: number; fps?: number }
  /** A media file played at its own speed, from the start again at its end when `loop`. */
  | { kind: 'file'; path: string; loop: boolean }
  /** Waits at `listen` (rtmp://host:port/app) for one publisher such as OBS. */
  | { kind: 'rtmp'; listen: string }
  /** Waits at `listen` (srt://host:port) for one SRT caller; needs an ffmpeg built with libsrt. */
  | { kind: 'srt'; listen: string }
  /** A Video4Linux2 capture device (Linux). */
  | { kind: 'camera'; device: string };

export type LiveInputKind = LiveInput['kind'];

const KINDS: readonly LiveInputKind[] = ['test-pattern', 'file', 'rtmp', 'srt', 'camera'];
const DEFAULT_RTMP_PORT = 1935;

/** A listen URL split into what ffmpeg and the error messages need. */
export interface ListenAddress {
  url: string;
  host: string;
  port: number;
}

function invalid(field: string, value: unknown, expected: string): PeerStreamerError {
  return new PeerStreamerError(
    'INVALID_ARGUMENT',
    `live input ${field} ${JSON.stringify(value) ?? String(value)} is not valid; ${expected}.`,
    { field, value },
  );
}

/** The input as a person would name it in a sentence ("file talk.mp4", "rtmp://0.0.0.0:1935/live"). */
export function describeLiveInput(input: LiveInput): string {
  switch (input.kind) {
    case 'test-pattern':
      return 'the test pattern';
    case 'file':
      return `file ${input.path}`;
    case 'rtmp':
    case 'srt':
      return input.listen;
    case 'camera':
      return `camera ${input.device}`;
  }
}

function checkDimension(field: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw invalid(field, value, `use a whole number from ${min} to ${max}`);
}

/** Reads `rtmp://host[:port]/app[/stream]` or `srt://host:port`; the port is what ffmpeg binds. */
export function parseListenUrl(kind: 'rtmp' | 'srt', value: unknown): ListenAddress {
  const example = kind === 'rtmp' ? 'rtmp://0.0.0.0:1935/live' : 'srt://0.0.0.0:9000';
  const expected = `give an ${kind}:// URL with this machine's address to listen on, e.g. ${example}`;
  if (typeof value !== 'string' || value.trim() === '') throw invalid('listen', value, expected);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('listen', value, expected);
  }
  if (url.protocol !== `${kind}:` || url.hostname === '' || url.username !== '' || url.password !== '')
    throw invalid('listen', value, expected);
  const port = url.port === '' ? (kind === 'rtmp' ? DEFAULT_RTMP_PORT : 0) : Number(url.port);
  if (port === 0) throw invalid('listen', value, `${expected} (an SRT listener needs a port)`);
  if (kind === 'rtmp' && (url.pathname === '' || url.pathname === '/'))
    throw invalid('listen', value, `${expected} (the path names the RTMP application publishers use)`);
  if (kind === 'srt' && url.searchParams.has('mode') && url.searchParams.get('mode') !== 'listener')
    throw invalid(
      'listen',
      value,
      `${expected} (a live input listens: leave out mode= or use mode=listener)`,
    );
  // URL keeps IPv6 literals in brackets, which is how ffmpeg wants them back too.
  return { url: value, host: url.hostname, port };
}

/** Checks the shape and values of a live input; returns it typed, or throws one INVALID_ARGUMENT. */
export function checkLiveInput(value: unknown): LiveInput {
  if (typeof value !== 'object' || value === null)
    throw invalid('', value, `give an object with a kind, one of ${KINDS.join(', ')}`);
  const input = value as Record<string, unknown>;
  const kind = input.kind;
  switch (kind) {
    case 'test-pattern':
      checkDimension('width', input.width, 16, 3840);
      checkDimension('height', input.height, 16, 2160);
      checkDimension('fps', input.fps, 1, 60);
      if (typeof input.width === 'number' && input.width % 2 !== 0)
        throw invalid('width', input.width, 'use an even number of pixels (H.264 4:2:0 needs one)');
      if (typeof input.height === 'number' && input.height % 2 !== 0)
        throw invalid('height', input.height, 'use an even number of pixels (H.264 4:2:0 needs one)');
      return value as LiveInput;
    case 'file':
      if (typeof input.path !== 'string' || input.path.trim() === '')
        throw invalid('path', input.path, 'give the path of a video file');
      if (typeof input.loop !== 'boolean')
        throw invalid(
          'loop',
          input.loop,
          'say true to play the file again from the start at its end, else false',
        );
      return value as LiveInput;
    case 'rtmp':
    case 'srt':
      parseListenUrl(kind, input.listen);
      return value as LiveInput;
    case 'camera':
      if (typeof input.device !== 'string' || !path.isAbsolute(input.device))
        throw invalid('device', input.device, 'give the absolute path of a capture device, e.g. /dev/video0');
      return value as LiveInput;
    default:
      throw invalid('kind', kind, `use one of ${KINDS.join(', ')}`);
  }
}
