import { promises as fs } from 'node:fs';

/**
 * Renames a finished file over its final name. On Windows that rename fails for a moment with EPERM,
 * EACCES or EBUSY while another handle has the target (or the fresh temp file) open: an antivirus or
 * search-indexer scan of a new file, or one of our own readers of an identical chunk. It clears once
 * that handle closes, so Windows retries with a growing pause. A POSIX rename never fails that way (it
 * replaces the directory entry whatever is open), so there an error is real and is thrown at once.
 */
export interface RenameOptions {
  platform?: NodeJS.Platform;
  rename?: (from: string, to: string) => Promise<void>;
  /** Waits between attempts; tests pass one that does not really wait. */
  pause?: (ms: number) => Promise<void>;
}

/** About four seconds in all: long enough for a scan, short enough that a stuck file is reported. */
export const WINDOWS_RENAME_PAUSES_MS: readonly number[] = [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000];

const TRANSIENT_ON_WINDOWS = new Set(['EPERM', 'EACCES', 'EBUSY']);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function renameReplacing(from: string, to: string, options: RenameOptions = {}): Promise<void> {
  const rename = options.rename ?? fs.rename;
  if ((options.platform ?? process.platform) !== 'win32') return rename(from, to);
  const pause = options.pause ?? sleep;
  for (const ms of WINDOWS_RENAME_PAUSES_MS) {
    try {
      return await rename(from, to);
    } catch (error) {
      if (!TRANSIENT_ON_WINDOWS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      await pause(ms);
    }
  }
  // The last try's error (still EPERM or the like) is the one the caller words for the user.
  return rename(from, to);
}
