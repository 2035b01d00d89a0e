import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import { closest } from './suggest.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedCommand {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Strict flag parsing for one subcommand. Node's parser already rejects unknown flags and missing
 * values; this turns its terse messages into ones that name the command, suggest the flag a slip
 * most likely meant, and point at --help.
 */
export function parseCommand(command: string, argv: string[], options: OptionSpec): ParsedCommand {
  try {
    const { values, positionals } = parseArgs({
      args: attachNegativeValues(argv, options),
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedCommand['values'], positionals };
  } catch (error) {
    // Node's messages span several lines and suggest `--flag=-XYZ`; errors here are one line.
    const detail = errorMessage(error)
      .replace(/^TypeError \[[A-Z_]+\]: /, '')
      .replace(/\. To specify a positional argument starting with a '-'.*$/s, '')
      .replace(/\s*\n\s*/g, ' ')
      .replace(/\.+$/, '');
    const suggestion = suggestFlag(error, options);
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${command}: ${detail}${suggestion === undefined ? '.' : `; did you mean ${suggestion}?`} Run \`peerstreamer ${command} --help\` for its flags.`,
      suggestion === undefined ? {} : { suggestion },
    );
  }
}

/** For an unknown long flag, the command's own flag it is closest to (`--nmae` -> `--name`). */
function suggestFlag(error: unknown, options: OptionSpec): string | undefined {
  if ((error as { code?: unknown }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return undefined;
  const typed = /Unknown option '--([^'=]+)'/.exec(errorMessage(error))?.[1];
  if (typed === undefined) return undefined;
  const match = closest(typed, [...Object.keys(options), 'help']);
  return match === undefined ? undefined : `--${match}`;
}

export function requireString(parsed: ParsedCommand, flag: string, command: string): string {
  const value = parsed.values[flag];
  if (typeof value !== 'string' || value.length === 0) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${command}: --${flag} is required. Run \`peerstreamer ${command} --help\` for an example.`,
      { flag },
    );
  }
  return value;
}

export function optionalString(parsed: ParsedCommand, flag: string): string | undefined {
  const value = parsed.values[flag];
  return typeof value === 'string' ? value : undefined;
}

export function exactlyPositionals(
  parsed: ParsedCommand,
  count: number,
  command: string,
  usage: string,
): string[] {
  if (parsed.positionals.length !== count) {
    const got =
      parsed.positionals.length === 0 ? 'none' : parsed.positionals.map((p) => JSON.stringify(p)).join(', ');
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${command}: expected ${count} argument${count === 1 ? '' : 's'} (${usage}), got ${got}.`,
    );
  }
  return parsed.positionals;
}

/**
 * `--chunk-duration -1` is a value the user meant, not a flag: Node's parser calls it ambiguous and
 * never lets the command say why -1 is wrong. Joining it as `--chunk-duration=-1` lets the flag's own
 * validation name the value and the allowed range.
 */
function attachNegativeValues(argv: string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    const flag = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (flag !== undefined && options[flag]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}
