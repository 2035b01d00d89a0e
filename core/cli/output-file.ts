import { createWriteStream, lstatSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename, rm, stat } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import path from 'node:path';
import { PeerStreamerError, errorMessage, isDiskFull } from '../util/errors.js';

/**
 * Where `export -o` and `play -o` write. Both go through writeOutputFile, so a failed command leaves
 * an output path exactly as it found it, whichever command failed.
 *
 * What an `-o` path names before the command writes to it matters: `-o /dev/null` (or a FIFO a
 * player reads) is a common way to run a command for its side effects; such a file must never be
 * renamed over or deleted on failure, which for /dev/null as root would break every program on the
 * machine.
 */
type OutputKind = 'absent' | 'regular' | 'special';

function outputKind(outputPath: string): OutputKind {
  try {
    return lstatSync(outputPath).isFile() ? 'regular' : 'special';
  } catch {
    return 'absent';
  }
}

/** Refuses an output whose directory is missing or that names a directory, before any work is done. */
export async function assertOutputPath(outputPath: string): Promise<void> {
  const parent = path.dirname(path.resolve(outputPath));
  const parentInfo = await stat(parent).catch(() => undefined);
  if (parentInfo === undefined || !parentInfo.isDirectory()) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `-o ${outputPath}: the directory ${parent} does not exist; create it first or write somewhere else.`,
      { output: outputPath },
    );
  }
  const info = await stat(outputPath).catch(() => undefined);
  if (info?.isDirectory()) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `-o ${outputPath} is a directory; give a file path, e.g. ${path.join(outputPath, 'video.mp4')}.`,
      { output: outputPath },
    );
  }
}

/**
 * Runs `write` into `outputPath`. A plain file is written as a temporary file beside it and renamed
 * into place only when everything was written: a failed command leaves neither a partial file nor a
 * damaged earlier file of that name. A device or FIFO (`-o /dev/null`, a named pipe a player reads)
 * is written in place instead: renaming a file over it would replace the device with a plain file.
 * Errors of the file itself come out worded for `-o` (outputError); others as `write` threw them.
 */
export async function writeOutputFile<T>(
  outputPath: string,
  write: (out: WriteStream) => Promise<T>,
): Promise<T> {
  const inPlace = outputKind(outputPath) === 'special';
  const target = inPlace
    ? outputPath
    : path.join(path.dirname(outputPath), `.${path.basename(outputPath)}.partial-${process.pid}`);
  const out = createWriteStream(target, { flags: inPlace ? 'w' : 'wx' });
  // Write errors surface through finished() or a drain wait; remembering them here also keeps them
  // from crashing the process, and tells them apart from errors reading the video.
  let streamError: unknown;
  out.on('error', (error) => {
    streamError ??= error;
  });
  try {
    await once(out, 'open');
    const result = await write(out);
    out.end();
    await finished(out);
    if (!inPlace) {
      await rename(target, outputPath).catch((error: unknown) => {
        streamError = error;
        throw error;
      });
    }
    return result;
  } catch (error) {
    out.destroy();
    if (!inPlace) await rm(target, { force: true });
    throw error === streamError ? outputError(outputPath, error) : error;
  }
}

/** A failure of the -o file, said as one: a full disk, or a path that cannot be written. */
function outputError(outputPath: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (isDiskFull(error)) {
    return new PeerStreamerError(
      'DISK_FULL',
      `-o ${outputPath}: the disk is full (${errorMessage(error)}); nothing was written. Free space or write somewhere else.`,
      { output: outputPath },
      { cause: error },
    );
  }
  if (code !== undefined) {
    return new PeerStreamerError(
      'INVALID_ARGUMENT',
      `-o ${outputPath} cannot be written (${errorMessage(error)}); check the path and its permissions, or write somewhere else.`,
      { output: outputPath },
      { cause: error },
    );
  }
  return error;
}
