import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { newCommand } from '../command.js';
import { startLocalSwarm } from '../../demo/local-swarm.js';
import { serveNodeUi } from '../../node/ui-server.js';
import { PeerStreamerError } from '../../util/errors.js';

function defaultDir(): string {
  const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(cache, 'peerstreamer', 'demo');
}

export function demoCommand(): Command {
  return newCommand('demo')
    .usage('[--dir <dir>] [--ui-port <port>] [--player <node>]')
    .description(
      'Starts a source holding a sample video (made with ffmpeg on first run), two masters (children of the source) and three children of theirs, all on 127.0.0.1, and serves the player of one of those children. ' +
        'Open the printed URL in a browser. Ctrl-C stops everything cleanly.',
    )
    .option('--dir <dir>', `where the demo keeps its stores (default ${defaultDir()})`)
    .option('--ui-port <port>', 'port of the player (default: any free port)', uiPort)
    .option(
      '--player <node>',
      'whose player to serve: ben, alyssa or john (default ben)',
      playerFlag('player'),
    )
    .option('--viewer <node>', 'the old name of --player', playerFlag('viewer'))
    .action(demo);
}

function uiPort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `--ui-port ${JSON.stringify(text)} must be a port from 0 to 65535.`,
    );
  }
  return Number(text);
}

function playerFlag(flag: string): (text: string) => string {
  return (text) => {
    if (!['ben', 'alyssa', 'john'].includes(text)) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `--${flag} ${JSON.stringify(text)} must be ben, alyssa or john (the children of the two masters).`,
      );
    }
    return text;
  };
}

async function demo(options: {
  dir?: string;
  uiPort?: number;
  player?: string;
  viewer?: string;
}): Promise<void> {
  const playerName = options.player ?? options.viewer ?? 'ben';
  const dir = path.resolve(options.dir ?? defaultDir());
  const say = (message: string): boolean => process.stderr.write(`demo: ${message}\n`);
  say(`stores in ${dir}`);
  const swarm = await startLocalSwarm({ dir, onStep: say });
  try {
    const player = swarm.nodes.get(playerName)!;
    await player.link?.waitForMaster(5_000);
    const ui = await serveNodeUi(player, { host: '127.0.0.1', port: options.uiPort ?? 0 });
    process.stdout.write(
      `\nPeerStreamer demo: open the player of "${playerName}" (a child at level 2):\n\n  ${ui.url}\n\n`,
    );
    process.stdout.write(
      `Topology: peerstreamer topology --from ${swarm.nodes.get('source')!.address}\nCtrl-C stops the swarm.\n`,
    );
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    say('stopping ...');
    await ui.close();
  } finally {
    await swarm.stop();
  }
  say('stopped');
}
