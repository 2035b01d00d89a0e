import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import type { Command } from '../command.js';
import { optionalString, parseCommand } from '../args.js';
import { startLocalSwarm } from '../../demo/local-swarm.js';
import { serveNodeUi } from '../../node/ui-server.js';
import { PeerStreamerError } from '../../util/errors.js';

const usage = 'peerstreamer demo [--dir <dir>] [--ui-port <port>] [--viewer <node>]';

function defaultDir(): string {
  const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(cache, 'peerstreamer', 'demo');
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'start a local swarm (a source, two level-1 and three level-2 nodes) and print a player URL',
  usage,
  help: `${usage}

Starts a source holding a sample video (made with ffmpeg on first run), two level-1 nodes and three
level-2 nodes, all on 127.0.0.1, and serves the player of a level-2 node. Open the printed URL in a
browser. Ctrl-C stops everything cleanly.
  --dir <dir>        where the demo keeps its stores (default ${defaultDir()})
  --ui-port <port>   port of the player (default: any free port)
  --viewer <node>    which node's player to serve: ben, alyssa or john (default ben)`,
  async run(argv) {
    const parsed = parseCommand('demo', argv, {
      dir: { type: 'string' },
      'ui-port': { type: 'string' },
      viewer: { type: 'string' },
    });
    const portText = optionalString(parsed, 'ui-port') ?? '0';
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `--ui-port ${JSON.stringify(portText)} must be a port from 0 to 65535.`,
      );
    }
    const viewerName = optionalString(parsed, 'viewer') ?? 'ben';
    if (!['ben', 'alyssa', 'john'].includes(viewerName)) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `--viewer ${JSON.stringify(viewerName)} must be ben, alyssa or john (the level-2 nodes).`,
      );
    }
    const dir = path.resolve(optionalString(parsed, 'dir') ?? defaultDir());
    const say = (message: string): boolean => process.stderr.write(`demo: ${message}\n`);
    say(`stores in ${dir}`);
    const swarm = await startLocalSwarm({ dir, onStep: say });
    try {
      const viewer = swarm.nodes.get(viewerName)!;
      await viewer.link?.waitForMaster(5_000);
      const ui = await serveNodeUi(viewer, { host: '127.0.0.1', port: Number(portText) });
      process.stdout.write(
        `\nPeerStreamer demo: open the player of level-2 node "${viewerName}":\n\n  ${ui.url}\n\n`,
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
