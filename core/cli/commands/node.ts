import type { Command } from '../command.js';
import { parseCommand } from '../args.js';
import { NODE_FLAG_SPEC, NODE_FLAGS_HELP, nodeConfigFromFlags } from '../../node/node-config.js';
import { runNodeUntilSignal } from '../../node/run-node.js';
import { PeerStreamerError } from '../../util/errors.js';

// Every flag in NODE_FLAG_SPEC appears here (test/e2e/node-cli.test.ts checks it).
const usage =
  'peerstreamer node --name <name> --port <port> --store <dir> [--ip <ip>] [--bind <ip>] ' +
  '[--master tcp://host:port] [--supermaster tcp://host:port] [--cache-size <size>] [--upload-limit <rate>] ' +
  '[--read-ahead <n>] [--fetch-concurrency <n>] [--peer-timeout <time>] [--library-prefetch <size>] [--json-logs] [--ui] [--ui-port <port>] [--ui-host <ip>] ' +
  '(--chunkdirectory <dir> and --videodatabase <dir> are aliases of --store)';

export const nodeCommand: Command = {
  name: 'node',
  summary: 'run a node: a source (no --master) or a child that registers with its master',
  usage,
  help: `${usage}

Runs until SIGINT/SIGTERM, then says goodbye to its master and closes cleanly (exit 0). Exits 1 at
once if its master refuses its name because another live node holds it (NAME_TAKEN). The original's
\`node node.js --name ... --port ...\` works as \`peerstreamer --name ... --port ...\`.
Once it serves, it prints one JSON line on stdout, e.g.
{"event":"ready","name":"mit","role":"child","address":"tcp://127.0.0.1:40123","port":40123,"store":"/abs/dir","pid":4242}
(with --ui also "ui": the player's URL), so scripts can wait for it and learn the port --port 0 chose.
${NODE_FLAGS_HELP}`,
  async run(argv) {
    const parsed = parseCommand('node', argv, NODE_FLAG_SPEC);
    if (parsed.positionals.length > 0) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `peerstreamer node takes only flags, got ${JSON.stringify(parsed.positionals.join(' '))}. Run \`peerstreamer node --help\`.`,
      );
    }
    return runNodeUntilSignal(nodeConfigFromFlags(parsed.values));
  },
};
