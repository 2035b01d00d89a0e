import path from 'node:path';
import { ChunkStore } from '../store/chunk-store.js';
import { ingestVideo } from '../library/ingest.js';
import { PeerNode } from '../node/peer-node.js';
import { nodeConfigFromFlags } from '../node/node-config.js';
import { createLogger, type Logger } from '../util/logger.js';
import { ensureSampleVideo } from './sample-video.js';

/** The demo tree: the README's example, trimmed to a source, two level-1 nodes and three level-2 nodes. */
export const DEMO_TREE: ReadonlyArray<{ name: string; master?: string }> = [
  { name: 'source' },
  { name: 'mit', master: 'source' },
  { name: 'harvard', master: 'source' },
  { name: 'ben', master: 'mit' },
  { name: 'alyssa', master: 'mit' },
  { name: 'john', master: 'harvard' },
];

export interface LocalSwarm {
  nodes: Map<string, PeerNode>;
  stop(): Promise<void>;
}

export interface LocalSwarmOptions {
  dir: string;
  logLevel?: string;
  onStep?: (message: string) => void;
}

/**
 * Starts the demo swarm in this process: every node is a full PeerNode with its own store under `dir`
 * and its own ZeroMQ socket on 127.0.0.1. The source holds the sample video (made on first run).
 */
export async function startLocalSwarm(options: LocalSwarmOptions): Promise<LocalSwarm> {
  const step = options.onStep ?? ((): void => undefined);
  const sourceStore = path.join(options.dir, 'stores', 'source');
  await prepareSource(options.dir, sourceStore, step);
  const nodes = new Map<string, PeerNode>();
  const stop = async (): Promise<void> => {
    // Leaves first, so each says goodbye to a master that is still there.
    for (const node of [...nodes.values()].reverse()) await node.stop();
    nodes.clear();
  };
  try {
    for (const spec of DEMO_TREE) {
      const master = spec.master ? nodes.get(spec.master) : undefined;
      const logger: Logger = createLogger({ name: spec.name, level: options.logLevel ?? 'warn' });
      const config = nodeConfigFromFlags({
        name: spec.name,
        // Any free port, taken at bind: a port chosen first could be taken by someone else meanwhile.
        port: '0',
        ip: '127.0.0.1',
        bind: '127.0.0.1',
        store: path.join(options.dir, 'stores', spec.name),
        ...(master ? { master: master.address } : {}),
        ...(master?.config.master ? { supermaster: master.config.master } : {}),
      });
      const node = await PeerNode.start(config, { logger });
      nodes.set(spec.name, node);
    }
    step(`swarm up: ${[...nodes.values()].map((node) => `${node.config.name} ${node.address}`).join(', ')}`);
    return { nodes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function prepareSource(dir: string, storeDir: string, step: (message: string) => void): Promise<void> {
  const store = await ChunkStore.open(storeDir);
  try {
    if (store.getManifest('sample')) return;
    step('making the sample video (first run only) ...');
    const file = await ensureSampleVideo(dir);
    step('cutting it into chunks ...');
    await ingestVideo(store, file, { name: 'sample' });
  } finally {
    store.close();
  }
}
