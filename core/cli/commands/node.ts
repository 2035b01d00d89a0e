import type { Command } from 'commander';
import { newCommand } from '../command.js';
import { nodeConfigOf, withNodeFlags } from '../node-options.js';
import { runNodeUntilSignal } from '../../node/run-node.js';

// Every flag in NODE_FLAGS appears here (test/e2e/node-cli.test.ts checks it).
const usage =
  '--name <name> --port <port> --store <dir> [--ip <ip>] [--bind <ip>] ' +
  '[--master tcp://host:port[#key]] [--supermaster tcp://host:port[#key]] [--join <link>] [--allow <file>] [--publisher <key>] [--cache-size <size>] [--upload-limit <rate>] ' +
  '[--read-ahead <time>] [--fetch-concurrency <n>] [--peer-timeout <time>] [--child-timeout <time>] [--max-children <n>] [--port-mapping on|off] [--library-prefetch <size>] [--json-logs] [--ui] [--ui-port <port>] [--ui-host <ip>] ' +
  '(--chunkdirectory <dir> and --videodatabase <dir> are aliases of --store)';

export function nodeCommand(): Command {
  return withNodeFlags(
    newCommand('node')
      .usage(usage)
      .description(
        'Runs a node: a source without --master, else a child of its master (and a master once others register with it). ' +
          'It runs until SIGINT/SIGTERM, then says goodbye to its master and closes cleanly (exit 0). It exits 1 at once if its master refuses its name because another live node holds it (NAME_TAKEN). ' +
          "The original's `node node.js --name ... --port ...` works as `peerstreamer --name ... --port ...`.",
      ),
  )
    .addHelpText(
      'after',
      '\nOnce it serves, it prints one JSON line on stdout, e.g.\n' +
        '{"event":"ready","name":"mit","role":"child","address":"tcp://127.0.0.1:40123","port":40123,"store":"/abs/dir","pid":4242}\n' +
        '(with --ui also "ui": the player\'s URL), so scripts can wait for it and learn the port --port 0 chose.',
    )
    .action(async (_options: unknown, command: Command) => {
      process.exitCode = await runNodeUntilSignal(nodeConfigOf(command));
    });
}
