import { Option, type Command } from 'commander';
import {
  NODE_FLAGS,
  NODE_FLAG_VALUES,
  NODE_SIZES_NOTE,
  nodeConfigFromValues,
  type NodeConfig,
  type NodeFlagValues,
} from '../node/node-config.js';
import { newCommand } from './command.js';

/** The node's flags on a command, each value checked by its own validator while commander reads it. */
export function withNodeFlags(command: Command): Command {
  for (const { flag, value, help } of NODE_FLAGS) {
    const option = new Option(`--${flag}${value === undefined ? '' : ` ${value}`}`, help);
    if (flag in NODE_FLAG_VALUES)
      option.argParser<unknown>(NODE_FLAG_VALUES[flag as keyof typeof NODE_FLAG_VALUES]);
    command.addOption(option);
  }
  return command.addHelpText('after', `\n${NODE_SIZES_NOTE}`);
}

/** The config from a command that has read the node's flags (keyed by flag name, not commander's camelCase). */
export function nodeConfigOf(command: Command): NodeConfig {
  const values = Object.fromEntries(
    command.options.map((option) => [
      option.name(),
      command.getOptionValue(option.attributeName()) as unknown,
    ]),
  );
  return nodeConfigFromValues(values as NodeFlagValues);
}

/**
 * `peerstreamer node`'s flags read outside the CLI (`<app> --node`, the benchmarks' node): the same
 * parser, errors and exit codes.
 */
export function parseNodeFlags(argv: string[]): NodeConfig {
  const command = withNodeFlags(newCommand('node'));
  command.parse(argv, { from: 'user' });
  return nodeConfigOf(command);
}
