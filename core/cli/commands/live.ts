import type { Command } from 'commander';
import { newCommand } from '../command.js';
import { storeDirectory } from '../open-store.js';
import { renderTable } from '../table.js';
import { connectToNode, type ControlClient } from '../../control/client.js';
import type { LiveSessionInfo } from '../../control/messages.js';
import { LIVE_INPUT_SHAPES, parseLiveInputSpec, resolveSpecPath } from '../../media/live-input-spec.js';
import { MAX_LIVE_WINDOW_SECONDS } from '../../shared/manifest-schema.js';
import { DEFAULT_RECONNECT_SECONDS, MAX_RECONNECT_SECONDS } from '../../media/live-options.js';
import { formatDuration } from '../../shared/format.js';
import { PeerStreamerError } from '../../util/errors.js';
import { parseDuration } from '../../util/units.js';

/**
 * `peerstreamer live start|stop|ls`: live streams run inside a node (they need its store, its key
 * and its peers all the time), so each subcommand goes through the control channel of the node
 * running on --store, and there is no live without one.
 */
export function liveCommand(): Command {
  const live = newCommand('live')
    .usage('start|stop|ls --store <dir> ...')
    .description(
      'Goes live on the node running on --store: its input is cut into ~1 s chunks as it comes, each stored, signed and added to the stream’s manifest, ' +
        'which viewers and children see grow. Needs a running node (`peerstreamer node --store <dir>`).',
    );
  live.addCommand(
    newCommand('start')
      .usage(
        '<name> --input <spec> --store <dir> [--window <seconds>] [--loop] [--stall <seconds>] [--reconnect <seconds>]',
      )
      .description(
        `Starts the live stream <name> from --input: ${LIVE_INPUT_SHAPES}. ` +
          'Answers once the first chunk is stored (an RTMP or SRT listener answers "starting" while it waits for its publisher). ' +
          'Starting a name whose stream ended or failed goes on with that stream (same id; the next chunk is marked as a discontinuity).',
      )
      .argument('<name>', "the stream's name, as the library lists it")
      .requiredOption('--input <spec>', `what to stream: ${LIVE_INPUT_SHAPES}`)
      .option('--store <dir>', 'the store directory of the running node', storeDirectory)
      .option(
        '--window <seconds>',
        `the DVR window: seconds of the stream kept for viewers, 0 to ${MAX_LIVE_WINDOW_SECONDS} (default 0: keep every chunk, and so the recording)`,
        windowFlag,
      )
      .option('--loop', 'with --input file:<path>: play the file again from its start at its end')
      .option(
        '--stall <seconds>',
        'seconds a started input may send nothing before it counts as stopped (default 10)',
        stallFlag,
      )
      .option(
        '--reconnect <seconds>',
        `seconds a stream whose input was lost (a publisher that left, an encoder or camera that died) waits for it to come back and go on as the same stream, 0 to ${MAX_RECONNECT_SECONDS} (default ${DEFAULT_RECONNECT_SECONDS}; 0: the stream ends with its input)`,
        reconnectFlag,
      )
      .action(start),
  );
  live.addCommand(
    newCommand('stop')
      .usage('<name> --store <dir> [--keep <video name>]')
      .description(
        'Stops the live stream <name>; its manifest says it ended. With --keep, its recording is stored as an ordinary video of that name ' +
          '(only when the window dropped nothing: start with --window 0 to keep one).',
      )
      .argument('<name>', "the stream's name")
      .option('--store <dir>', 'the store directory of the running node', storeDirectory)
      .option('--keep <name>', 'store the recording as a video of this name')
      .action(stop),
  );
  live.addCommand(
    newCommand('ls')
      .usage('--store <dir> [--json]')
      .description(
        'Lists the live streams of the running node: state, input, chunks, seconds and the latest delay from capture to stored.',
      )
      .option('--store <dir>', 'the store directory of the running node', storeDirectory)
      .option('--json', 'print the list as JSON')
      .action(list),
  );
  return live;
}

interface StartOptions {
  input: string;
  store?: string;
  window?: number;
  loop?: boolean;
  stall?: number;
  reconnect?: number;
}

async function start(name: string, options: StartOptions): Promise<void> {
  // Checked here first, so a typo is told without a node; the node checks again (it may be newer).
  const input = resolveSpecPath(options.input);
  parseLiveInputSpec(input, { loop: options.loop === true });
  const session = await withNode('start', options.store, (node) =>
    node.liveStart({
      name,
      input,
      loop: options.loop === true,
      window: options.window ?? 0,
      ...(options.stall !== undefined ? { stallSeconds: options.stall } : {}),
      ...(options.reconnect !== undefined ? { reconnectSeconds: options.reconnect } : {}),
    }),
  );
  const said =
    session.state === 'live'
      ? `live: ${session.name} from ${session.input}, stream ${session.stream}` +
        (session.window === 0 ? ', keeping every chunk' : `, ${session.window} s window`) +
        (session.reason !== null ? `; ${session.reason}` : '')
      : session.state === 'starting'
        ? `starting: ${session.name} waits for ${session.input}; \`peerstreamer live ls\` shows when it is live`
        : `${session.state}: ${session.name}: ${session.reason ?? ''}`;
  process.stdout.write(`${said}\n`);
}

async function stop(name: string, options: { store?: string; keep?: string }): Promise<void> {
  const { session, kept } = await withNode('stop', options.store, (node) =>
    node.liveStop({ name, ...(options.keep !== undefined ? { keep: options.keep } : {}) }),
  );
  process.stdout.write(
    `stopped ${session.name}: ${session.chunks} chunks, ${formatDuration(session.seconds)}` +
      (kept !== null
        ? `; kept the recording as ${kept.name} (${kept.chunks} chunks, ${formatDuration(kept.duration)})`
        : '') +
      '\n',
  );
}

async function list(options: { store?: string; json?: boolean }): Promise<void> {
  const sessions = await withNode('ls', options.store, (node) => node.liveList());
  if (options.json === true) process.stdout.write(`${JSON.stringify(sessions, null, 2)}\n`);
  else if (sessions.length === 0)
    process.stdout.write('no live streams on this node. Start one with `peerstreamer live start`.\n');
  else process.stdout.write(renderSessions(sessions));
}

function renderSessions(sessions: LiveSessionInfo[]): string {
  const header = ['NAME', 'STATE', 'INPUT', 'CHUNKS', 'SECONDS', 'DELAY', 'WHY'];
  const rows = sessions.map((session) => [
    session.name,
    session.state,
    session.input,
    session.window === 0 ? `${session.chunks}` : `${session.inWindow}/${session.chunks}`,
    session.seconds.toFixed(1),
    session.delayMs === null ? '-' : `${(session.delayMs / 1000).toFixed(2)} s`,
    session.reason ?? '',
  ]);
  return renderTable(header, rows);
}

async function withNode<T>(
  sub: string,
  store: string | undefined,
  work: (node: ControlClient) => Promise<T>,
): Promise<T> {
  if (store === undefined) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `live ${sub}: --store is required: the store directory of the running node. Run \`peerstreamer live ${sub} --help\` for an example.`,
      { flag: '--store' },
    );
  }
  const node = await connectToNode(store);
  if (node === null) {
    throw new PeerStreamerError(
      'UNREACHABLE',
      `live ${sub}: no node runs on the store ${store}; live streams run inside a node: start one with \`peerstreamer node --store ${store}\`, then run this again.`,
      { store },
    );
  }
  try {
    return await work(node);
  } finally {
    node.close();
  }
}

function windowFlag(text: string): number {
  const seconds = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds > MAX_LIVE_WINDOW_SECONDS) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `live start: --window ${JSON.stringify(text)} is not valid; give whole seconds from 0 (keep every chunk) to ${MAX_LIVE_WINDOW_SECONDS}, e.g. --window 300.`,
      { flag: '--window', value: text },
    );
  }
  return seconds;
}

function reconnectFlag(text: string): number {
  // 0 is a fine answer here (end with the input), which a duration refuses.
  const seconds = /^\s*0+(\.0+)?\s*(ms|s|m|min)?\s*$/i.test(text) ? 0 : parseDuration(text, '--reconnect');
  if (seconds > MAX_RECONNECT_SECONDS) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `live start: --reconnect ${JSON.stringify(text)} is out of range; use 0 (end with the input) to ${MAX_RECONNECT_SECONDS} seconds.`,
      { flag: '--reconnect', value: text },
    );
  }
  return seconds;
}

function stallFlag(text: string): number {
  const seconds = parseDuration(text, '--stall');
  if (seconds < 0.5 || seconds > 600) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `live start: --stall ${JSON.stringify(text)} is out of range; use 0.5 to 600 seconds.`,
      { flag: '--stall', value: text },
    );
  }
  return seconds;
}
