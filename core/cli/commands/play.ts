import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { newCommand } from '../command.js';
import { nodeAddress, withFirstNode } from '../remote.js';
import { parseVideoLink, type VideoLink } from '../../link/video-link.js';
import { assertLinkManifest } from '../../link/trusted-manifest.js';
import { ProgressReporter } from '../progress.js';
import { playStream } from '../../stream/play-client.js';
import { playLive, type LivePlaySummary } from '../../stream/live-play.js';
import { isLiveManifest } from '../../trust/live-signature.js';
import type { Manifest } from '../../shared/manifest.js';
import type { PeerClient } from '../../net/client.js';
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
        "Given a link (peerstreamer://...) instead of a name, it streams through the link's first node that answers, and plays only a manifest signed by the link's publisher. " +
        'A live stream plays from its live edge as it grows, until it ends or Ctrl-C, with a line every 10 chunks on how far behind live it is.',
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
  let live: LivePlaySummary | null = null;
  const playInto = (out: Writable) =>
    withFirstNode(target.addresses, target.publisher !== undefined, async (client, answered) => {
      // A link's peers carry their keys: messages name the node by where it is, which people read.
      address = splitPeerAddress(answered).dial;
      const publisher = target.publisher;
      const checkManifest =
        publisher === undefined
          ? undefined
          : (manifest: Manifest) => assertLinkManifest(manifest, publisher, address);
      if (await isLiveStream(client, answered, name)) {
        if (start > 0) {
          throw new PeerStreamerError(
            'INVALID_ARGUMENT',
            `${JSON.stringify(name)} is a live stream: it plays from the live edge; drop --start.`,
          );
        }
        live = await watchLiveInto(client, answered, name, out, checkManifest, () => pipeClosed);
        return { chunks: live.chunks, bytes: live.result.bytes };
      }
      return playStream(client, answered, name, out, {
        startSeconds: start,
        inFlight,
        streamId: randomUUID(),
        ...(checkManifest === undefined ? {} : { checkManifest }),
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
  if (live !== null) {
    process.stderr.write(`${liveSummary(name, live, seconds)}\n`);
    return;
  }
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

/** Whether `video` is a live stream still going, as `address` lists it; false when it cannot say (play then reports why). */
async function isLiveStream(client: PeerClient, address: string, video: string): Promise<boolean> {
  try {
    const { reply } = await client.request(address, { type: 'get-manifest', video }, { timeoutMs: 15_000 });
    // One that ended plays as a recording would: from --start (or its first chunk) to its end.
    return isLiveManifest(reply.manifest) && reply.manifest.live.state === 'live';
  } catch {
    return false;
  }
}

/**
 * A live stream into `out` from the live edge until it ends, the reader goes away or Ctrl-C, with a
 * line now and then on how far behind live the picture is.
 */
async function watchLiveInto(
  client: PeerClient,
  address: string,
  video: string,
  out: Writable,
  checkManifest: ((manifest: Manifest) => void) | undefined,
  pipeClosed: () => boolean,
): Promise<LivePlaySummary> {
  const leave = new AbortController();
  const onSignal = (): void => leave.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await playLive(client, address, video, out, {
      signal: leave.signal,
      stopped: () => pipeClosed() || out.errored !== null,
      ...(checkManifest === undefined ? {} : { checkManifest }),
      onChunk: (index, bytes, shown) => {
        if (index % LIVE_LINE_EVERY_CHUNKS !== 0) return;
        const behind =
          shown.behindSeconds === null ? '' : `, ${shown.behindSeconds.toFixed(1)} s behind live`;
        process.stderr.write(`play ${video}: live, chunk ${index}, ${formatBytes(bytes)}${behind}\n`);
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A line every this many chunks (10 s at the default 1 s chunks): enough to see it is live. */
const LIVE_LINE_EVERY_CHUNKS = 10;

/** e.g. "watched talk live: 60 chunks from chunk 12 in 61.0 s, behind live p50 2.8 s, p95 3.3 s, 0 stalls; the stream ended". */
function liveSummary(video: string, live: LivePlaySummary, seconds: number): string {
  const stalls = live.result.playout.stalls();
  const behind =
    live.behindP50 === null
      ? 'no capture times'
      : `behind live p50 ${live.behindP50.toFixed(1)} s, p95 ${live.behindP95!.toFixed(1)} s`;
  const longest =
    stalls.longestMs < 1000
      ? `${Math.round(stalls.longestMs)} ms`
      : `${(stalls.longestMs / 1000).toFixed(1)} s`;
  const stallText =
    stalls.count === 0
      ? '0 stalls'
      : `${stalls.count} ${stalls.count === 1 ? 'stall' : 'stalls'} (longest ${longest})`;
  const ending = { ended: 'the stream ended', failed: 'the stream failed', left: 'stopped watching' }[
    live.result.ending
  ];
  return `watched ${video} live: ${live.chunks} chunks from chunk ${live.result.joinedAt} in ${seconds.toFixed(1)} s, ${behind}, ${stallText}; ${ending}`;
}
