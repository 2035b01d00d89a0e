import { Command, Option, type CommanderError } from 'commander';
import { PeerStreamerError } from '../util/errors.js';

/**
 * A `peerstreamer` command as commander builds it, set up the way every one of ours is: commander
 * parses and suggests, and its errors become one-line INVALID_ARGUMENT errors (exit 2) that name the
 * command and the way out, printed by main like any other error. Help and version pass through as
 * commander's own exits (code 0).
 */
export function newCommand(name: string): Command {
  const command = new Command(name);
  return command
    .helpOption('-h, --help', 'show this help')
    .configureOutput({ outputError: () => undefined })
    .exitOverride((error) => {
      throw error.exitCode === 0 || error.code === 'commander.help' ? error : explain(error, command);
    })
    .hook('preAction', (hooked, running) => {
      if (hooked !== running) return;
      const missing = running.options.find(
        (option) => REQUIRED.has(option) && running.getOptionValue(option.attributeName()) === undefined,
      );
      if (missing !== undefined) throw missingFlag(running, missing);
    });
}

const REQUIRED = new WeakSet<Option>();

/**
 * A flag the command cannot run without. Not commander's requiredOption: commander checks those before
 * unknown flags, so `--stroe d` would be told "--store is required" instead of "did you mean --store?".
 * These are checked just before the action, after commander has refused unknown flags.
 */
export function requiredFlag(flags: string, description: string, parse: (value: string) => unknown): Option {
  const option = new Option(flags, description).argParser<unknown>(parse);
  REQUIRED.add(option);
  return option;
}

function missingFlag(command: Command, option: Option): PeerStreamerError {
  return new PeerStreamerError(
    'INVALID_ARGUMENT',
    `${command.name()}: ${option.long} is required: ${option.description}. Run \`peerstreamer ${command.name()} --help\` for an example.`,
    { flag: option.long },
  );
}

/** Commander words its errors over two lines (`error: ...` then `(Did you mean ...?)`); ours take one. */
function explain(error: CommanderError, command: Command): PeerStreamerError {
  const name = command.name() === 'peerstreamer' ? '' : command.name();
  const said = error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
  const help =
    name === ''
      ? 'Run `peerstreamer --help` to list commands.'
      : `Run \`peerstreamer ${name} --help\` for its flags.`;
  const where = name === '' ? '' : `${name}: `;
  switch (error.code) {
    case 'commander.unknownCommand':
    case 'commander.unknownOption': {
      const typed = /'([^'=]*)/.exec(said)?.[1] ?? '';
      const guess = plainlyMeant(typed, command) ?? /\(Did you mean (.+)\?\)$/.exec(said)?.[1];
      const what = said.replace(/ \(Did you mean .+\?\)$/, '');
      return new PeerStreamerError(
        'INVALID_ARGUMENT',
        `${where}${what}${guess === undefined ? '.' : `; did you mean ${guess}?`} ${help}`,
        guess === undefined ? { typed } : { typed, suggestion: guess },
      );
    }
    case 'commander.missingArgument':
    case 'commander.excessArguments':
      return wrongArguments(command, name);
    default:
      return new PeerStreamerError('INVALID_ARGUMENT', `${where}${said.replace(/\.$/, '')}. ${help}`, {
        commanderCode: error.code,
      });
  }
}

/**
 * Commander suggests by edit distance only, and case counts. A word cut short (`--from` for export's
 * `--from-chunk`, `import` for `import-legacy`) or typed in capitals (`PLAY`) is plainly meant, yet too
 * far by that measure: it wins when exactly one candidate begins with it (three letters at least).
 */
function plainlyMeant(typed: string, command: Command): string | undefined {
  const word = typed.toLowerCase();
  if (word.replace(/^--/, '').length < 3 || (word.startsWith('-') && !word.startsWith('--')))
    return undefined;
  const candidates = word.startsWith('--')
    ? command.options.flatMap((option) => (option.long === undefined ? [] : [option.long]))
    : command.commands.map((sub) => sub.name());
  const found = candidates.filter((candidate) => candidate.startsWith(word) && candidate !== typed);
  return found.length === 1 ? found[0] : undefined;
}

/** Commander counts arguments; this also names the ones given, so a stray word is easy to spot. */
function wrongArguments(command: Command, name: string): PeerStreamerError {
  const expected = command.registeredArguments;
  const got = command.args.length === 0 ? 'none' : command.args.map((arg) => JSON.stringify(arg)).join(', ');
  if (expected.length === 0) {
    return new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${name} takes only flags, got ${JSON.stringify(command.args.join(' '))}. Run \`peerstreamer ${name} --help\`.`,
    );
  }
  const usage = expected.map((argument) => `<${argument.name()}>`).join(' ');
  return new PeerStreamerError(
    'INVALID_ARGUMENT',
    `${name}: expected ${expected.length} argument${expected.length === 1 ? '' : 's'} (${usage}), got ${got}.`,
  );
}
