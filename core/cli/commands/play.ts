import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { newCommand } from '../command.js';
import { nodeAddress, withFirstNode } from '../remote.js';
import { parseVideoLink, type VideoLink } from '../../link/video-link.js';
import { assertLinkManifest } from '../../link/trusted-manifest.js';
import { ProgressReporter } from '../progress.js';
import { playStream } from '../../stream/play-client.js';
import { assertOutputPath, writeOutputFile } from '../output-file.js';
import { PeerStreamerError } from '../../util/errors.js';
import { splitPeerAddress } from '../../protocol/peer-key.js';
import { parseDuration } from '../../util/units.js';
import { formatBytes } from '../../shared/format.js';
import { PLAY_CLIENT_FETCHES_AT_ONCE } from '../../shared/read-ahead-policy.js';

export function playCommand(): Command {
  return newCommand('play')
    .usage(
      '--from <tcp://host:port> <name> [--start <seconds>] [-o <file>]  |  peerstreamer play <link> [--start <seconds>] [-o <file>]',
    )
    .description(
      'The successor of video_streamer.js: streams the video through the given node, which reads ahead and fetches each chunk from its store, its peers or its master. ' +
        'Writes the init segment and the chunks (a playable file) to stdout or -o; a legacy video comes out as its original bytes. ' +
        'Every chunk is checked against the manifest. Progress and where chunks came from go to stderr. ' +
        "Given a link (peerstreamer://...) instead of a name, it streams through the link's first node that answers, and plays only a manifest signed by the link's publisher.",
    )
    .argument('<name|link>', 'the video to play, or a link to it (then without --from)')
    .option('--from <addr>', 'the node to stream through (tcp://host:port); not with a link', nodeAddress)
    .option(
      '--start <seconds>',
      'start at this time (the chunk that holds it); not for legacy videos',
      startFlag,
    )
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option(
      '--in-flight <n>',
      `requests kept in flight (default ${PLAY_CLIENT_FETCHES_AT_ONCE})`,
      inFlightFlag,
    )
    .action(play);
}

function inFlightFlag(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 32) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `--in-flight ${JSON.stringify(text)} must be a whole number from 1 to 32.`,
    );
  }
  return Number(text);
}

/** What to play and where to ask: a name and --from, or a link with its peers and publisher. */
interface PlayTarget {
  name: string;
  addresses: string[];
  /** The only publisher whose manifest may play (from a link); none: the node's own trust decides. */
  publisher?: string;
}

/** A link is recognised by its scheme, so a video that happens to be named like a URL still plays by name. */
function looksLikeLink(text: string): boolean {
  return /^\s*<?peerstreamer:/i.test(text);
}

function playTarget(argument: string, from: string | undefined): PlayTarget {
  if (!looksLikeLink(argument)) {
    if (from === undefined) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `play: --from is required with a video name (${JSON.stringify(argument)}): the node to stream through, tcp://host:port. Or give a link (peerstreamer://...) instead of the name. Run \`peerstreamer play --help\` for an example.`,
        { flag: '--from' },
      );
    }
    return { name: argument, addresses: [from] };
  }
  const link: VideoLink = parseVideoLink(argument);
  if (from !== undefined) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      'play: give a link or --from <tcp://host:port> with a name, not both: a link names the nodes to stream through itself.',
      { flag: '--from' },
    );
  }
  return { name: link.video, addresses: link.peers, publisher: link.publisher };
}

async function play(
  argument: string,
  options: { from?: string; start?: number; output?: string; inFlight?: number },
): Promise<void> {
  const { start = 0, output: outputPath, inFlight } = options;
  const target = playTarget(argument, options.from);
  const name = target.name;
  let address = target.addresses[0]!;
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
    withFirstNode(target.addresses, target.publisher !== undefined, (client, answered) => {
      // A link's peers carry their keys: messages name the node by where it is, which people read.
      address = splitPeerAddress(answered).dial;
      const publisher = target.publisher;
      return playStream(client, answered, name, out, {
        startSeconds: start,
        inFlight,
        streamId: randomUUID(),
        ...(publisher === undefined
          ? {}
          : { checkManifest: (manifest) => assertLinkManifest(manifest, publisher, address) }),
        // An output that failed (a full disk) takes no more: its error is what the play reports.
        stopped: () => pipeClosed || out.errored !== null,
        // Counted in chunk indexes, as far as the last one: a live stream's start above 0 once its window moved.
        onChunk: (index, end, bytes, origin) => {
          fromOrigin[origin ?? 'unknown'] = (fromOrigin[origin ?? 'unknown'] ?? 0) + 1;
          progress.update({
            done: index + 1,
            total: end,
            bytes,
            detail: `(${describeOrigins(fromOrigin)})`,
          });
        },
      });
    });
  // A file gets the same writer as export's: a failed play leaves the path as it found it.
  const result = await (outputPath === undefined
    ? playInto(process.stdout)
    : writeOutputFile(outputPath, playInto));
  const seconds = (Date.now() - started) / 1000;
  progress.finish(
    `played ${name}: ${result.chunks} chunks, ${formatBytes(result.bytes)} in ${seconds.toFixed(1)} s`,
  );
  process.stderr.write(`chunks from ${describeOrigins(fromOrigin)} (as ${address} got them)\n`);
}

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
