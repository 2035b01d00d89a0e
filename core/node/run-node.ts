import { once } from 'node:events';
import { PeerNode, type PeerNodeOptions } from './peer-node.js';
import type { NodeConfig } from './node-config.js';
import { serveNodeUi, type UiServer } from './ui-server.js';

/**
 * Runs a node in the foreground until SIGINT or SIGTERM, then stops it cleanly (goodbye to the
 * master, sockets closed, store closed). Shared by the CLI and the desktop app's --node.
 */
export async function runNodeUntilSignal(config: NodeConfig, options: PeerNodeOptions = {}): Promise<number> {
  const node = await PeerNode.start(config, options);
  let ui: UiServer | undefined;
  try {
    if (config.ui) {
      ui = await serveNodeUi(node, { host: config.uiHost, port: config.uiPort });
      node.logger.info({ url: ui.url }, 'player ready');
      process.stdout.write(`player: ${ui.url}\n`);
    }
  } catch (error) {
    await node.stop();
    throw error;
  }
  const signal = await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  node.logger.info({ signal: String(signal[0] ?? '') }, 'shutting down');
  await ui?.close();
  await node.stop();
  return 0;
}
