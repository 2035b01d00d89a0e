import { PeerStreamerError } from '../util/errors.js';

/** Names reach file names and wire messages, so they are kept to safe, printable, bounded strings. */
export const MAX_VIDEO_NAME_BYTES = 200;

/** Returns why `name` is not a valid video name, or null when it is valid. */
export function videoNameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'it must be a string';
  if (name.length === 0) return 'it is empty';
  if (Buffer.byteLength(name, 'utf8') > MAX_VIDEO_NAME_BYTES)
    return `it is longer than ${MAX_VIDEO_NAME_BYTES} bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it contains control characters';
  if (name.includes('/') || name.includes('\\')) return 'it contains a path separator';
  if (name === '.' || name.includes('..')) return 'it contains ".."';
  if (name !== name.trim()) return 'it starts or ends with whitespace';
  return null;
}

export function assertVideoName(name: unknown, what = 'video name'): asserts name is string {
  const problem = videoNameProblem(name);
  if (problem !== null) {
    throw new PeerStreamerError(
      'INVALID_NAME',
      `${what} ${JSON.stringify(name)} is not allowed: ${problem}. Use letters, digits, spaces, '-', '_' or '.' (no '/', '\\' or '..', at most ${MAX_VIDEO_NAME_BYTES} bytes).`,
      { name },
    );
  }
}
