/**
 * A node's ZeroMQ ends, made with its identity: the store's key pair (node-keys.ts) on its ROUTER
 * and its DEALERs, the allow list of a closed swarm (`--allow`) on its ZAP handler, and the keys
 * of the masters it was given: with the address (`--master tcp://host:port#<key>`), or learned on
 * first contact and pinned in the store's known-hosts file.
 */
import { PeerServer } from '../net/server.js';
import { PeerClient } from '../net/client.js';
import { ServerKeys } from '../net/server-keys.js';
import type { CurveKeyPair } from '../net/curve-keys.js';
import type { Logger } from '../util/logger.js';
import { nodeKeysOf } from './node-keys.js';
import { KnownHosts } from './known-hosts.js';
import { readAllowList } from './allow-list.js';
import type { NodeConfig } from './node-config.js';

export interface NodeTransport {
  keys: CurveKeyPair;
  server: PeerServer;
  client: PeerClient;
}

/** Reads the key, the allow list and the pins (each failure names its file), then builds the sockets. */
export async function openNodeTransport(config: NodeConfig, logger: Logger): Promise<NodeTransport> {
  const keys = await nodeKeysOf(config.store);
  const allow = config.allowFile === undefined ? undefined : await readAllowList(config.allowFile);
  const given = new Map<string, string>();
  if (config.master !== undefined && config.masterKey !== undefined)
    given.set(config.master, config.masterKey);
  if (config.supermaster !== undefined && config.supermasterKey !== undefined) {
    given.set(config.supermaster, config.supermasterKey);
  }
  for (const fallback of config.fallbacks ?? []) {
    if (fallback.key !== undefined) given.set(fallback.dial, fallback.key);
  }
  const named = [
    config.master,
    config.supermaster,
    ...(config.fallbacks ?? []).map((fallback) => fallback.dial),
  ].filter((address) => address !== undefined);
  const { hosts, problems } = await KnownHosts.open(config.store, named);
  for (const problem of problems) logger.warn(problem);
  const server = new PeerServer({
    bind: `tcp://${config.bindIp.includes(':') ? `[${config.bindIp}]` : config.bindIp}:${config.port}`,
    name: config.name,
    logger,
    keys,
    ...(allow ? { allow } : {}),
  });
  const client = new PeerClient({ logger, keys, serverKeys: new ServerKeys({ pins: hosts, given }) });
  return { keys, server, client };
}
