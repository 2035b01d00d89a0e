import { MAX_VIDEO_NAME_BYTES, videoNameProblem } from '../shared/video-name.js';
import { PeerStreamerError } from './errors.js';

/** Throws INVALID_NAME, saying what is wrong and what is allowed, unless `name` is a valid video name. */
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
