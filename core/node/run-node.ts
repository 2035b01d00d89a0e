import { once } from 'node:events';
import { PeerNode, type PeerNodeOptions } from './peer-node.js';
import type { NodeConfig } from './node-config.js';
import { serveNodeUi, type UiServer } from './ui-server.js';

/**
 * Runs a node in the foreground until SIGINT or SIGTERM, then stops it cleanly (goodbye to the
 * master, sockets closed, store closed) and returns 0. Shared by the CLI and the desktop app's --node.
 *
 * A node its master refuses for good (NAME_TAKEN: another live node has its name) stops and returns
 * 1 instead of retrying: only the user can fix that, and a process that exits says so to scripts and
 * service managers. The node has already logged the reason as one error line.
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
  const signals = new AbortController();
  const ended = await Promise.race([
    once(process, 'SIGINT', { signal: signals.signal }).then(([name]: unknown[]) => String(name ?? 'SIGINT')),
    once(process, 'SIGTERM', { signal: signals.signal }).then(([name]: unknown[]) =>
      String(name ?? 'SIGTERM'),
    ),
    node.fatal,
  ]).finally(() => signals.abort());
  if (typeof ended === 'string') node.logger.info({ signal: ended }, 'shutting down');
  await ui?.close();
  await node.stop();
  return typeof ended === 'string' ? 0 : 1;
}
