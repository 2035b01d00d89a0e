import { unprintableProblem } from './printable.js';

/** Names reach file names and wire messages, so they are kept to safe, printable, bounded strings. */
export const MAX_VIDEO_NAME_BYTES = 200;

/** Returns why `name` is not a valid video name, or null when it is valid. */
export function videoNameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'it must be a string';
  if (name.length === 0) return 'it is empty';
  if (new TextEncoder().encode(name).length > MAX_VIDEO_NAME_BYTES)
    return `it is longer than ${MAX_VIDEO_NAME_BYTES} bytes`;
  const unprintable = unprintableProblem(name);
  if (unprintable !== null) return unprintable;
  if (name.includes('/') || name.includes('\\')) return 'it contains a path separator';
  if (name === '.' || name.includes('..')) return 'it contains ".."';
  if (name !== name.trim()) return 'it starts or ends with whitespace';
  return null;
}
