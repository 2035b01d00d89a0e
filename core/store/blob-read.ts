import { close, open, read } from 'node:fs';
import { promisify } from 'node:util';

const openFile = promisify(open);
const closeFile = promisify(close);
function readFile(
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  return new Promise((resolve, reject) =>
    read(fd, buffer, offset, length, position, (error, bytesRead) =>
      error ? reject(error) : resolve(bytesRead),
    ),
  );
}

/**
 * Reads the blob at `filePath` if it exists with exactly `size` bytes; undefined when it is missing
 * or has another size, which callers treat as a damaged chunk.
 *
 * A node serving many streams reads chunks all the time, so this is three thread-pool requests on
 * a plain descriptor (open, one read, close) rather than a FileHandle: FileHandle's promise
 * plumbing and its extra read to find the end made reads the largest share of a busy node's
 * event-loop time.
 */
export async function readBlob(filePath: string, size: number): Promise<Buffer | undefined> {
  let fd: number;
  try {
    fd = await openFile(filePath, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    // One byte more than expected is asked for, so a longer file shows without a separate stat.
    const buffer = Buffer.allocUnsafe(size + 1);
    let filled = 0;
    for (;;) {
      const bytesRead = await readFile(fd, buffer, filled, buffer.length - filled, filled);
      filled += bytesRead;
      if (filled === buffer.length) return undefined;
      // A regular file reads short only at its end, so the usual case is one read.
      if (bytesRead === 0 || filled === size) break;
    }
    return filled === size ? buffer.subarray(0, size) : undefined;
  } finally {
    await closeFile(fd);
  }
}
