/**
 * `<app> --node ...`: the node alone, no window, no tray. Flags, help, errors and exit codes are the
 * CLI's own (the same flags, parser and validators as `peerstreamer node`), so docs and scripts
 * written for one work with the other.
 */
import { parseNodeFlags } from '../core/cli/node-options.js';
import { NODE_FLAGS_HELP } from '../core/node/node-config.js';
import { runNodeUntilSignal } from '../core/node/run-node.js';
import type { PeerNodeOptions } from '../core/node/peer-node.js';
import { errorMessage, isPeerStreamerError } from '../core/util/errors.js';

export interface HeadlessIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const APP_HELP = `PeerStreamer desktop app

Usage:
  peerstreamer-app                 open the player (the node runs inside the app)
  peerstreamer-app --tray          start hidden in the tray, seeding
  peerstreamer-app --node <flags>  run only the node: no window, no tray (same flags as \`peerstreamer node\`)

Node flags (for --node):
${NODE_FLAGS_HELP}`;

/** Runs until SIGINT/SIGTERM; resolves with the process exit code (2 for bad flags, as the CLI). */
export async function runHeadless(
  nodeArgs: string[],
  io: HeadlessIo,
  options: PeerNodeOptions & { run?: typeof runNodeUntilSignal } = {},
): Promise<number> {
  if (nodeArgs.includes('--help') || nodeArgs.includes('-h')) {
    io.stdout(`${APP_HELP}\n`);
    return 0;
  }
  const { run = runNodeUntilSignal, ...nodeOptions } = options;
  try {
    return await run(parseNodeFlags(nodeArgs), nodeOptions);
  } catch (error) {
    // The CLI's wording and exit codes (core/cli/main.ts), so both entry points fail alike.
    const prefix = isPeerStreamerError(error) ? 'error' : 'unexpected error';
    io.stderr(`peerstreamer: ${prefix}: ${errorMessage(error)}\n`);
    return isPeerStreamerError(error, 'INVALID_ARGUMENT') ? 2 : 1;
  }
}
