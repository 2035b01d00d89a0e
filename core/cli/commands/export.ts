import { assertOutputPath, writeOutputFile } from '../output-file.js';
import type { Command } from 'commander';
import { newCommand, requiredFlag } from '../command.js';
import type { Writable } from 'node:stream';
import { storeDirectory, withStoreOrNode } from '../open-store.js';
import { exportVideo, exportableManifest } from '../../library/export.js';
import { PeerStreamerError } from '../../util/errors.js';
import { formatBytes } from '../../shared/format.js';

export function exportCommand(): Command {
  return newCommand('export')
    .usage('<name> --store <dir> [--from-chunk <k>] [-o <file>]')
    .description(
      'Writes the init segment and chunks k..end as one playable fragmented MP4 (or, for a legacy video, the original bytes from chunk k). ' +
        'Every chunk is hash-checked on the way out. ' +
        'When a node runs on the store, the node reads the chunks and streams them to this command, and keeps serving meanwhile.',
    )
    .argument('<name>', 'the video to write')
    .addOption(requiredFlag('--store <dir>', 'the store directory', storeDirectory))
    .option('--from-chunk <k>', 'first chunk to write (default 0)', chunkIndex)
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(exportVideoTo);
}

/** A whole number from 0; `-1`, `1.5` and `1e3` are refused rather than rounded. */
function chunkIndex(text: string): number {
  if (!/^\d+$/.test(text)) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `--from-chunk ${JSON.stringify(text)} is not a chunk index; give a whole number from 0.`,
    );
  }
  return Number(text);
}

async function exportVideoTo(
  name: string,
  options: { store: string; fromChunk?: number; output?: string },
): Promise<void> {
  const { store: dir, fromChunk = 0, output: outputPath } = options;
  if (outputPath === undefined && process.stdout.isTTY) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      'export writes video bytes; refusing to print them on a terminal. Pass -o <file> or pipe it, e.g. `| ffplay -`.',
    );
  }
  if (outputPath !== undefined) await assertOutputPath(outputPath);
  const writeTo = (
    exportInto: (out: Writable) => Promise<{ bytes: number; chunks: number }>,
  ): Promise<{ bytes: number; chunks: number } | undefined> =>
    outputPath === undefined
      ? exportToStdout(() => exportInto(process.stdout))
      : writeOutputFile(outputPath, exportInto);
  const result = await withStoreOrNode(
    dir,
    {
      // The node checks the name and index before it sends a byte; a failed export to a file
      // leaves no file behind either way (see writeOutputFile).
      node: (node) => writeTo((out) => node.export({ name, fromChunk }, out)),
      store: async (store) => {
        // Checked before any output exists, so a wrong name or index leaves no file behind.
        exportableManifest(store, name, fromChunk);
        return writeTo((out) => exportVideo(store, name, out, { fromChunk }));
      },
    },
    { mustExist: { command: 'export' } },
  );
  if (result !== undefined) {
    process.stderr.write(
      `exported ${name} (${result.chunks} chunk${result.chunks === 1 ? '' : 's'}, ${formatBytes(result.bytes)})\n`,
    );
  }
}

/**
 * A reader that quits early (`| head`, a player closed) closes the pipe: that ends the export, it is
 * not a failure. Resolves undefined then.
 */
async function exportToStdout<T>(write: () => Promise<T>): Promise<T | undefined> {
  let pipeClosed = false;
  const onError = (error: NodeJS.ErrnoException): void => {
    if (error.code === 'EPIPE') pipeClosed = true;
  };
  process.stdout.on('error', onError);
  try {
    return await write();
  } catch (error) {
    if (pipeClosed || (error as NodeJS.ErrnoException).code === 'EPIPE') return undefined;
    throw error;
  }
}
