import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Command } from '../command.js';
import { exactlyPositionals, optionalString, parseCommand } from '../args.js';
import { remoteAddress, withNode } from '../remote.js';
import { ProgressReporter } from '../progress.js';
import { playStream } from '../../stream/play-client.js';
import { assertOutputPath, writeOutputFile } from '../output-file.js';
import { PeerStreamerError } from '../../util/errors.js';
import { parseDuration } from '../../util/units.js';
import { formatBytes } from '../../shared/format.js';

const usage = 'peerstreamer play --from <tcp://host:port> <name> [--start <seconds>] [-o <file>]';

export const playCommand: Command = {
  name: 'play',
  summary: 'stream a video through a node to stdout or a file (pipe into mpv - or ffplay -)',
  usage,
  help: `${usage}

The successor of video_streamer.js: streams the video through the given node, which reads ahead and
fetches each chunk from its store, its peers or its master. Writes the init segment and the chunks
(a playable file) to stdout or -o; a legacy video comes out as its original bytes. Every chunk is
checked against the manifest. Progress and where chunks came from go to stderr.
  --from <addr>        the node to stream through
  --start <seconds>    start at this time (the chunk that holds it); not for legacy videos
  -o, --output <file>  write to a file instead of stdout
  --in-flight <n>      requests kept in flight (default 4)`,
  async run(argv) {
    const parsed = parseCommand('play', argv, {
      from: { type: 'string' },
      start: { type: 'string' },
      output: { type: 'string', short: 'o' },
      'in-flight': { type: 'string' },
    });
    const [name] = exactlyPositionals(parsed, 1, 'play', '<name>');
    const address = remoteAddress(optionalString(parsed, 'from'), 'play');
    const startText = optionalString(parsed, 'start');
    const start = startText === undefined ? 0 : startFlag(startText);
    const inFlightText = optionalString(parsed, 'in-flight') ?? '4';
    if (!/^\d+$/.test(inFlightText) || Number(inFlightText) < 1 || Number(inFlightText) > 32) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `--in-flight ${JSON.stringify(inFlightText)} must be a whole number from 1 to 32.`,
      );
    }
    const outputPath = optionalString(parsed, 'output');
    if (outputPath === undefined && process.stdout.isTTY) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        'play writes video bytes; refusing to print them on a terminal. Pipe it (`| mpv -`) or pass -o <file>.',
      );
    }
    if (outputPath !== undefined) await assertOutputPath(outputPath);
    // A player reading stdout that quits early closes the pipe: that ends the stream, it is not an error.
    let pipeClosed = false;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') pipeClosed = true;
    });
    const started = Date.now();
    const fromOrigin: Record<string, number> = {};
    const progress = new ProgressReporter(
      `play ${name}`,
      process.stderr,
      Boolean(process.stderr.isTTY),
      'throughput',
    );
    const playInto = (out: Writable) =>
      withNode(address, (client) =>
        playStream(client, address, name!, out, {
          startSeconds: start,
          inFlight: Number(inFlightText),
          streamId: randomUUID(),
          // An output that failed (a full disk) takes no more: its error is what the play reports.
          stopped: () => pipeClosed || out.errored !== null,
          onChunk: (index, total, bytes, origin) => {
            fromOrigin[origin ?? 'unknown'] = (fromOrigin[origin ?? 'unknown'] ?? 0) + 1;
            progress.update({ done: index + 1, total, bytes, detail: `(${describeOrigins(fromOrigin)})` });
          },
        }),
      );
    // A file gets the same writer as export's: a failed play leaves the path as it found it.
    const result = await (outputPath === undefined
      ? playInto(process.stdout)
      : writeOutputFile(outputPath, playInto));
    const seconds = (Date.now() - started) / 1000;
    progress.finish(
      `played ${name}: ${result.chunks} chunks, ${formatBytes(result.bytes)} in ${seconds.toFixed(1)} s`,
    );
    process.stderr.write(`chunks from ${describeOrigins(fromOrigin)} (as ${address} got them)\n`);
    return 0;
  },
};

/** e.g. "peer 12, master 3": where the node got the chunks of this play. */
function describeOrigins(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([origin, count]) => `${origin} ${count}`);
  return parts.length > 0 ? parts.join(', ') : 'nowhere yet';
}

/** A time in the video: like a duration, except that 0 (the beginning) is a fine place to start. */
function startFlag(text: string): number {
  if (/^\s*0+(\.0+)?\s*(ms|s|m|min)?\s*$/i.test(text)) return 0;
  return parseDuration(text.replace(/^0+(?=\d)/, ''), '--start');
}
