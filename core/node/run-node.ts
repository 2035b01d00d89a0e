import { once } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import { PeerNode, type PeerNodeOptions } from './peer-node.js';
import type { NodeConfig } from './node-config.js';
import { formatReadyLine } from './ready-line.js';
import { keyFingerprint } from '../protocol/peer-key.js';
import { serveNodeUi, type UiServer } from './ui-server.js';
import { PeerStreamerError, isPeerStreamerError } from '../util/errors.js';

/**
 * Runs a node in the foreground until SIGINT or SIGTERM, then stops it cleanly (goodbye to the
 * master, sockets closed, store closed) and returns 0. Shared by the CLI and the desktop app's --node.
 *
 * Once it serves it prints the ready line (core/node/ready-line.ts) on stdout. A node that fails to
 * start leaves nothing behind: a store directory this run created is removed again, so a mistyped
 * port does not litter the disk with an empty store; one that existed before is never touched.
 *
 * A node its master refuses for good (NAME_TAKEN: another live node has its name) stops and returns
 * 1 instead of retrying: only the user can fix that, and a process that exits says so to scripts and
 * service managers. The node has already logged the reason as one error line.
 */
export async function runNodeUntilSignal(config: NodeConfig, options: PeerNodeOptions = {}): Promise<number> {
  const createdStore = await createStoreDirectory(config.store);
  let node: PeerNode | undefined;
  let ui: UiServer | undefined;
  try {
    node = await PeerNode.start(config, options).catch((error: unknown) => {
      throw inFlagTerms(error, config);
    });
    if (config.ui) ui = await serveUi(node, config);
  } catch (error) {
    await node?.stop();
    if (createdStore !== undefined) await rm(createdStore, { recursive: true, force: true });
    throw error;
  }
  // Listening before the ready line: a supervisor may send SIGTERM the moment it reads it, and the
  // first signal listener takes a moment to install.
  const signals = new AbortController();
  const ending = Promise.race([
    once(process, 'SIGINT', { signal: signals.signal }).then(([name]: unknown[]) => String(name ?? 'SIGINT')),
    once(process, 'SIGTERM', { signal: signals.signal }).then(([name]: unknown[]) =>
      String(name ?? 'SIGTERM'),
    ),
    node.fatal,
  ]).finally(() => signals.abort());
  if (ui) {
    // The link with the token is for the person at the terminal, on stdout; logs are kept and shipped
    // further than the terminal, so they get the address without it.
    node.logger.info({ url: ui.served.url }, 'player ready');
    process.stdout.write(`player: ${ui.url}\n`);
  }
  process.stdout.write(
    formatReadyLine({
      event: 'ready',
      name: node.config.name,
      role: node.link ? 'child' : 'source',
      address: node.address,
      port: node.config.port,
      key: node.server.keys.publicKey,
      fingerprint: keyFingerprint(node.server.keys.publicKey),
      store: config.store,
      pid: process.pid,
      ...(node.trust.swarmPublisher() ? { publisher: node.trust.swarmPublisher() } : {}),
      ...(ui ? { ui: ui.url } : {}),
    }),
  );
  const ended = await ending;
  if (typeof ended === 'string') node.logger.info({ signal: ended }, 'shutting down');
  await ui?.close();
  await node.stop();
  return typeof ended === 'string' ? 0 : 1;
}

/**
 * Creates the store directory (and missing parents) and returns the topmost directory this call
 * created, or undefined when it already existed. A failure here is left to the store's own open,
 * which names the directory and what to do.
 */
async function createStoreDirectory(dir: string): Promise<string | undefined> {
  try {
    return await mkdir(dir, { recursive: true });
  } catch {
    return undefined;
  }
}

/** A port clash named by the flag that chose the port, so the one error line says what to change. */
function inFlagTerms(error: unknown, config: NodeConfig): unknown {
  if (!isPeerStreamerError(error, 'PORT_IN_USE')) return error;
  return new PeerStreamerError(
    'PORT_IN_USE',
    `--port ${config.port}: port ${config.port} on ${config.bindIp} is already in use (another node or program listens there). Stop it, choose another --port, or give --port 0 for any free port.`,
    { port: config.port, host: config.bindIp },
    { cause: error },
  );
}

async function serveUi(node: PeerNode, config: NodeConfig): Promise<UiServer> {
  try {
    return await serveNodeUi(node, { host: config.uiHost, port: config.uiPort });
  } catch (error) {
    // The gateway's own message names --port, which for a node is its ZeroMQ port.
    if (isPeerStreamerError(error, 'PORT_IN_USE')) {
      throw new PeerStreamerError(
        'PORT_IN_USE',
        `--ui-port ${config.uiPort}: port ${config.uiPort} on ${config.uiHost} is already in use. Stop what listens there, pick another --ui-port, or leave it out for any free port.`,
        { port: config.uiPort, host: config.uiHost },
        { cause: error },
      );
    }
    throw error;
  }
}
