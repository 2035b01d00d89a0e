/**
 * Real nodes in the test's own process: real stores in temp dirs, real ZeroMQ sockets on loopback,
 * quick heartbeats. For role logic that needs a network but not separate processes.
 */
import { PeerNode, type PeerNodeOptions } from '../../core/node/peer-node.js';
import { LIBRARY_PREFETCH_BYTES, type NodeConfig } from '../../core/node/node-config.js';
import { silentLogger } from '../../core/util/logger.js';
import { NODE_READ_AHEAD } from '../../core/shared/read-ahead-policy.js';
import { ingest, makeVideo, openStore } from '../store/helpers.js';
import { tempDir } from '../helpers/temp-dirs.js';

export interface InProcessNode {
  name: string;
  store?: string;
  port?: number;
  master?: PeerNode | string;
  supermaster?: PeerNode | string;
  uploadBytesPerSecond?: number;
  options?: PeerNodeOptions;
  /** Anything else of its configuration (an advertised address, port mapping). */
  config?: Partial<NodeConfig>;
}

const addressOf = (target: PeerNode | string): string =>
  typeof target === 'string' ? target : target.address;

export async function startNode(spec: InProcessNode): Promise<PeerNode> {
  const config: NodeConfig = {
    name: spec.name,
    port: spec.port ?? 0,
    ip: '127.0.0.1',
    bindIp: '127.0.0.1',
    store: spec.store ?? tempDir(`node-${spec.name}`),
    ...(spec.master ? { master: addressOf(spec.master) } : {}),
    ...(spec.supermaster ? { supermaster: addressOf(spec.supermaster) } : {}),
    ...(spec.uploadBytesPerSecond ? { uploadBytesPerSecond: spec.uploadBytesPerSecond } : {}),
    jsonLogs: false,
    readAhead: NODE_READ_AHEAD,
    portMapping: false,
    ui: false,
    uiPort: 0,
    uiHost: '127.0.0.1',
    libraryPrefetchBytes: LIBRARY_PREFETCH_BYTES,
    ...spec.config,
  };
  return PeerNode.start(config, { logger: silentLogger(), heartbeatMs: 100, ...spec.options });
}

/** A store directory holding `video` (20 chunks of `size` bytes), for a source. */
export async function sourceStoreDir(video = 'movie', size = 4000): Promise<string> {
  const dir = tempDir('source');
  const store = await openStore(dir);
  await ingest(store, makeVideo(video, 20, size));
  store.close();
  return dir;
}
