/**
 * electron-updater's failures in words a log reader can act on. Each keeps the cause's own text,
 * which names the URL or file, and says what happens next (the check is simply tried again later).
 */
import { errorMessage } from '../../core/util/errors.js';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export function describeUpdateError(error: unknown, version: string | null): string {
  const code = (error as { code?: unknown } | null)?.code;
  // One line, of a bounded length: electron-updater's messages can carry a whole file or response.
  const text = errorMessage(error).replace(/\s+/g, ' ').trim();
  const cause = text.length > 300 ? `${text.slice(0, 299)}…` : text;
  const update = version === null ? 'The update' : `Update ${version}`;
  if (code === 'ERR_CHECKSUM_MISMATCH') {
    return `${update} was refused: the downloaded file does not match the sha512 the release's update metadata (latest*.yml) gives for it (${cause}). It was corrupted on the way, or the release's files do not match its metadata. Nothing was installed.`;
  }
  if (typeof code === 'string' && UNREACHABLE.has(code)) {
    return `The update server cannot be reached (${cause}).`;
  }
  if (cause.includes('Request timed out')) return `The update server did not answer (${cause}).`;
  if (
    code === 'ERR_UPDATER_INVALID_UPDATE_INFO' ||
    code === 'ERR_UPDATER_NO_FILES_PROVIDED' ||
    code === 'ERR_UPDATER_INVALID_VERSION'
  ) {
    return `The release's update metadata could not be used (${cause}).`;
  }
  if (code === 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND' || code === 'ERR_UPDATER_LATEST_VERSION_NOT_FOUND') {
    return `The latest release has no update metadata for this platform (${cause}).`;
  }
  if (/status 404/.test(cause)) return `${update}'s file is missing from the release (${cause}).`;
  return `${update} could not be checked or downloaded (${cause}).`;
}
