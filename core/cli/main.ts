#!/usr/bin/env node
import { commands, findCommand } from './registry.js';
import { wantsHelp } from './command.js';
import { isPeerStreamerError, errorMessage } from '../util/errors.js';
import { closest } from './suggest.js';
import { packageVersion } from './version.js';

function overview(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `peerstreamer — peer-to-peer video streaming

Usage: peerstreamer <command> [flags]   (peerstreamer <command> --help for its flags)
       peerstreamer --version

Commands:
${lines.join('\n')}
`;
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(overview());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write(`peerstreamer ${packageVersion()}\n`);
    return 0;
  }
  // The original was started as `node node.js --name ... --port ...`; flags first still means "run a node".
  const [name, args] = first.startsWith('--') ? ['node', argv] : [first, rest];
  const entry = findCommand(name);
  if (!entry) {
    const guess = closest(name, [...commands.map((command) => command.name), 'help']);
    const hint = guess === undefined ? '.' : `; did you mean \`${guess}\`?`;
    process.stderr.write(
      `peerstreamer: unknown command ${JSON.stringify(name)}${hint} Run \`peerstreamer --help\` to list commands.\n`,
    );
    return 2;
  }
  const command = await entry.load();
  if (wantsHelp(args)) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  return command.run(args);
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
