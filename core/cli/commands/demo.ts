import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import type { Command } from '../command.js';
import { optionalString, parseCommand } from '../args.js';
import { startLocalSwarm } from '../../demo/local-swarm.js';
import { serveNodeUi } from '../../node/ui-server.js';
import { PeerStreamerError } from '../../util/errors.js';

const usage = 'peerstreamer demo [--dir <dir>] [--ui-port <port>] [--player <node>]';

function defaultDir(): string {
  const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(cache, 'peerstreamer', 'demo');
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'start a local swarm (a source, two masters, three children) and print a player URL',
  usage,
  help: `${usage}

Starts a source holding a sample video (made with ffmpeg on first run), two masters (children of the
source) and three children of theirs, all on 127.0.0.1, and serves the player of one of those
children. Open the printed URL in a browser. Ctrl-C stops everything cleanly.
  --dir <dir>        where the demo keeps its stores (default ${defaultDir()})
  --ui-port <port>   port of the player (default: any free port)
  --player <node>    whose player to serve: ben, alyssa or john (default ben; --viewer is the old name)`,
  async run(argv) {
    const parsed = parseCommand('demo', argv, {
      dir: { type: 'string' },
      'ui-port': { type: 'string' },
      player: { type: 'string' },
      viewer: { type: 'string' },
    });
    const portText = optionalString(parsed, 'ui-port') ?? '0';
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `--ui-port ${JSON.stringify(portText)} must be a port from 0 to 65535.`,
      );
    }
    const flag = optionalString(parsed, 'player') !== undefined ? 'player' : 'viewer';
    const playerName = optionalString(parsed, flag) ?? 'ben';
    if (!['ben', 'alyssa', 'john'].includes(playerName)) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `--${flag} ${JSON.stringify(playerName)} must be ben, alyssa or john (the children of the two masters).`,
      );
    }
    const dir = path.resolve(optionalString(parsed, 'dir') ?? defaultDir());
    const say = (message: string): boolean => process.stderr.write(`demo: ${message}\n`);
    say(`stores in ${dir}`);
    const swarm = await startLocalSwarm({ dir, onStep: say });
    try {
      const player = swarm.nodes.get(playerName)!;
      await player.link?.waitForMaster(5_000);
      const ui = await serveNodeUi(player, { host: '127.0.0.1', port: Number(portText) });
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
    return 0;
  },
};
