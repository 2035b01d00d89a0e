/**
 * A live input written as one word, as `peerstreamer live start --input <spec>` and the control
 * channel's `live-start` take it, read into a LiveInput. The shapes:
 *
 *   testsrc                     ffmpeg's test card and tone (testsrc:640x360@25 to choose size and rate)
 *   file:<path>                 a media file played in real time (with `loop`, from the start again)
 *   rtmp://<host>:<port>/<app>  waits there for one RTMP publisher (OBS: Server rtmp://this-host:port/app)
 *   srt://<host>:<port>         waits there for one SRT caller
 *   v4l2:<device>               a Video4Linux2 camera, e.g. v4l2:/dev/video0
 *
 * The spec is read where it is used: the node reads a path as given, so a client resolves a relative
 * one against its own working directory first (resolveSpecPath).
 */
import path from 'node:path';
import { PeerStreamerError } from '../util/errors.js';
import { checkLiveInput, type LiveInput } from './live-input.js';

export const LIVE_INPUT_SHAPES =
  'testsrc, testsrc:640x360@25, file:<path>, rtmp://0.0.0.0:1935/live, srt://0.0.0.0:9000 or v4l2:/dev/video0';

function badSpec(spec: string, why: string): PeerStreamerError {
  return new PeerStreamerError(
    'INVALID_ARGUMENT',
    `live input ${JSON.stringify(spec)} ${why}; give one of ${LIVE_INPUT_SHAPES}.`,
    { input: spec },
  );
}

const TEST_PATTERN = /^testsrc(?::(\d+)x(\d+)(?:@(\d+))?)?$/;

/** The LiveInput a spec names, checked (checkLiveInput); `loop` applies to a file only. */
export function parseLiveInputSpec(spec: string, options: { loop?: boolean } = {}): LiveInput {
  const text = spec.trim();
  if (text === '') throw badSpec(spec, 'is empty');
  const loop = options.loop === true;
  if (loop && !text.startsWith('file:'))
    throw badSpec(spec, 'cannot loop: only a file input plays again from its start');
  const pattern = TEST_PATTERN.exec(text);
  if (pattern !== null) {
    const [, width, height, fps] = pattern;
    return checkLiveInput({
      kind: 'test-pattern',
      ...(width !== undefined ? { width: Number(width), height: Number(height) } : {}),
      ...(fps !== undefined ? { fps: Number(fps) } : {}),
    });
  }
  if (text.startsWith('file:')) {
    const file = text.slice('file:'.length);
    if (file === '') throw badSpec(spec, 'names no file');
    return checkLiveInput({ kind: 'file', path: file, loop });
  }
  if (text.startsWith('v4l2:')) return checkLiveInput({ kind: 'camera', device: text.slice('v4l2:'.length) });
  if (text.startsWith('rtmp://')) return checkLiveInput({ kind: 'rtmp', listen: text });
  if (text.startsWith('srt://')) return checkLiveInput({ kind: 'srt', listen: text });
  throw badSpec(spec, 'is not a live input this node knows');
}

/** The spec with a file's relative path made absolute against `cwd`, for a node that has another. */
export function resolveSpecPath(spec: string, cwd: string = process.cwd()): string {
  const text = spec.trim();
  if (!text.startsWith('file:')) return spec;
  const file = text.slice('file:'.length);
  return file === '' || path.isAbsolute(file) ? spec : `file:${path.resolve(cwd, file)}`;
}
