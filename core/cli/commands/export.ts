import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { rm } from 'node:fs/promises';
import type { Command } from '../command.js';
import { exactlyPositionals, optionalString, parseCommand, requireString } from '../args.js';
import { withStore } from '../open-store.js';
import { exportVideo } from '../../library/export.js';
import { PeerStreamerError } from '../../util/errors.js';
import { formatBytes } from '../../util/units.js';

const usage = 'peerstreamer export <name> --store <dir> [--from-chunk <k>] [-o <file>]';

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a video (init segment + chunks k..end) as a playable file',
  usage,
  help: `${usage}

Writes the init segment and chunks k..end as one playable fragmented MP4 (or, for a legacy video,
the original bytes from chunk k). Every chunk is hash-checked on the way out.
  --store <dir>       the store directory
  --from-chunk <k>    first chunk to write (default 0)
  -o, --output <file> write to a file instead of stdout`,
  async run(argv) {
    const parsed = parseCommand('export', argv, {
      store: { type: 'string' },
      'from-chunk': { type: 'string' },
      output: { type: 'string', short: 'o' },
    });
    const [name] = exactlyPositionals(parsed, 1, 'export', '<name>');
    const dir = requireString(parsed, 'store', 'export');
    const fromText = optionalString(parsed, 'from-chunk') ?? '0';
    if (!/^\d+$/.test(fromText)) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `--from-chunk ${JSON.stringify(fromText)} is not a chunk index; give a whole number from 0.`,
      );
    }
    const outputPath = optionalString(parsed, 'output');
    if (outputPath === undefined && process.stdout.isTTY) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        'export writes video bytes; refusing to print them on a terminal. Pass -o <file> or pipe it, e.g. `| ffplay -`.',
      );
    }
    await withStore(dir, async (store) => {
      const out = outputPath === undefined ? process.stdout : createWriteStream(outputPath);
      try {
        const result = await exportVideo(store, name!, out, { fromChunk: Number(fromText) });
        if (out !== process.stdout) {
          out.end();
          await finished(out);
        }
        process.stderr.write(`exported ${name} (${result.chunks} chunks, ${formatBytes(result.bytes)})\n`);
      } catch (error) {
        if (outputPath !== undefined) {
          out.destroy();
          await rm(outputPath, { force: true });
        }
        throw error;
      }
    });
    return 0;
  },
};
