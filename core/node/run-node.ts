import { once } from 'node:events';
import { PeerNode, type PeerNodeOptions } from './peer-node.js';
import type { NodeConfig } from './node-config.js';

/**
 * Runs a node in the foreground until SIGINT or SIGTERM, then stops it cleanly (goodbye to the
 * master, sockets closed, store closed). Shared by the CLI and the desktop app's --node.
 */
export async function runNodeUntilSignal(config: NodeConfig, options: PeerNodeOptions = {}): Promise<number> {
  const node = await PeerNode.start(config, options);
  const signal = await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  node.logger.info({ signal: String(signal[0] ?? '') }, 'shutting down');
  await node.stop();
  return 0;
}
