#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { commands } from './registry.js';
import { newCommand } from './command.js';
import { isPeerStreamerError, errorMessage } from '../util/errors.js';
import { packageVersion } from './version.js';

/**
 * The root command. Every subcommand is listed (for the overview and for commander's "did you mean"),
 * but only the one asked for is loaded with its flags: a command's module pulls in what it runs
 * (zeromq, SQLite, the gateway), and `peerstreamer ls` should not pay for the node's.
 */
async function program(wanted: string | undefined): Promise<Command> {
  const root = newCommand('peerstreamer')
    .usage('<command> [flags]   (peerstreamer <command> --help for its flags)')
    .description('peerstreamer — peer-to-peer video streaming')
    .enablePositionalOptions()
    .helpCommand('help [command]', 'show the help of a command, or this overview')
    .configureHelp({ subcommandTerm: (command) => command.name() })
    .addHelpText(
      'after',
      '\nThe original system’s `node node.js --name ... --port ...` runs as `peerstreamer --name ... --port ...`: flags first run a node.',
    );
  // Commander's own --version wants the version before parsing; it is read only when asked for, so a
  // broken installation fails only there.
  root.option('-v, --version', 'print the version').on('option:version', () => {
    const version = packageVersion();
    process.stdout.write(`peerstreamer ${version}\n`);
    throw new CommanderError(0, 'commander.version', version);
  });
  for (const entry of commands) {
    const command = entry.name === wanted ? await entry.load() : new Command(entry.name);
    root.addCommand(command.summary(entry.summary));
  }
  return root;
}

async function main(argv: string[]): Promise<number> {
  // The original was started as `node node.js --name ... --port ...`; flags first still means "run a node".
  const first = argv[0];
  let args =
    first?.startsWith('--') && first !== '--help' && first !== '--version' ? ['node', ...argv] : argv;
  // `help frob` gets what `frob` would (unknown command, a guess, exit 2), not the overview.
  if (args[0] === 'help' && args[1] !== undefined && !commands.some((entry) => entry.name === args[1])) {
    args = [args[1]];
  }
  const root = await program(args[0] === 'help' ? args[1] : args[0]);
  if (args.length === 0) {
    // Nothing asked: the overview, but a script that forgot its command still sees a failure.
    root.outputHelp();
    return 2;
  }
  try {
    await root.parseAsync(args, { from: 'user' });
  } catch (error) {
    // Help or the version was printed.
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // One line, naming the input and what to do; a stack only when asked for (bugs, not user errors).
  const prefix = isPeerStreamerError(error) ? 'error' : 'unexpected error';
  process.stderr.write(`peerstreamer: ${prefix}: ${errorMessage(error)}\n`);
  if (!isPeerStreamerError(error) || process.env.PEERSTREAMER_DEBUG) console.error(error);
  process.exitCode = isPeerStreamerError(error, 'INVALID_ARGUMENT') ? 2 : 1;
}
