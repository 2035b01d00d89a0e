import { assertOutputPath, writeOutputFile } from '../output-file.js';
import type { Command } from '../command.js';
import { exactlyPositionals, optionalString, parseCommand, requireString } from '../args.js';
import type { Writable } from 'node:stream';
import { withStoreOrNode } from '../open-store.js';
import { exportVideo, exportableManifest } from '../../library/export.js';
import { PeerStreamerError } from '../../util/errors.js';
import { formatBytes } from '../../shared/format.js';

const usage = 'peerstreamer export <name> --store <dir> [--from-chunk <k>] [-o <file>]';

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a video (init segment + chunks k..end) as a playable file',
  usage,
  help: `${usage}

Writes the init segment and chunks k..end as one playable fragmented MP4 (or, for a legacy video,
the original bytes from chunk k). Every chunk is hash-checked on the way out. When a node runs on
the store, the node reads the chunks and streams them to this command, and keeps serving meanwhile.
  --store <dir>       the store directory
  --from-chunk <k>    first chunk to write (default 0)
  -o, --output <file> write to a file instead of stdout`,
  async run(argv) {
    const parsed = parseCommand('export', argv, {
      store: { type: 'string' },
      'from-chunk': { type: 'string' },
      output: { type: 'string', short: 'o' },
    });
    const [name] = exactlyPositionals(parsed, 1, 'export', '<name>') as [string];
    const dir = requireString(parsed, 'store', 'export');
    const fromText = optionalString(parsed, 'from-chunk') ?? '0';
    if (!/^\d+$/.test(fromText)) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `--from-chunk ${JSON.stringify(fromText)} is not a chunk index; give a whole number from 0.`,
      );
    }
    const fromChunk = Number(fromText);
    const outputPath = optionalString(parsed, 'output');
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
    return 0;
  },
};

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
