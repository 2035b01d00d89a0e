import type { PeerServer } from '../net/server.js';
import type { ChildRegistry } from './child-registry.js';
import type { Logger } from '../util/logger.js';
import type { PeerRef } from '../protocol/messages.js';
import { PeerStreamerError } from '../util/errors.js';

export interface MasterServiceOptions {
  server: PeerServer;
  registry: ChildRegistry;
  logger: Logger;
  selfName: string;
  /** This node's level: 0 for the source, 1 for a level-1 node, ... */
  level: () => number;
  /** Whom this node's children should fall back on: this node's own master. */
  supermasterForChildren: () => PeerRef | undefined;
  sweepMs?: number;
}

/** Travels as the wire code NOT_REGISTERED (see docs/PROTOCOL.md): the child registers again. */
function notRegistered(name: string): PeerStreamerError {
  return new PeerStreamerError(
    'NOT_REGISTERED',
    `${JSON.stringify(name)} is not registered here; register first.`,
  );
}

/**
 * Master duties, which every node takes on as soon as a child registers with it: track children by
 * heartbeat, keep the chunk directory, and answer `query` with the holders a child should try.
 */
export class MasterService {
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: MasterServiceOptions) {
    const { server, registry, logger } = options;
    server.handle('register', (request) => {
      const flapped = registry.register(request);
      logger.info(
        { child: request.name, address: request.address, chunks: countIndexes(request.chunks), flapped },
        flapped ? 'child registered again (its old entries were replaced)' : 'child registered',
      );
      const supermaster = options.supermasterForChildren();
      return {
        reply: {
          masterName: options.selfName,
          level: options.level() + 1,
          ...(supermaster ? { supermaster } : {}),
        },
      };
    });
    server.handle('report', (request) => {
      if (!registry.report(request.name, request.added, request.removed)) throw notRegistered(request.name);
      return { reply: {} };
    });
    server.handle('query', (request) => {
      // Any peer may ask (a play client is nobody's child); a child's query doubles as a heartbeat.
      registry.heartbeat(request.name);
      const holders = Array.from({ length: request.count }, (_, offset) =>
        registry.holders(request.video, request.from + offset, request.name).slice(0, 16),
      );
      return { reply: { video: request.video, from: request.from, holders } };
    });
    server.handle('ping', (request) => {
      // A ping that names a node is a child's heartbeat; an unknown name must register (again).
      if (request.name !== undefined && !registry.heartbeat(request.name)) throw notRegistered(request.name);
      return { reply: { name: options.selfName, time: Date.now() } };
    });
    server.handle('bye', (request) => {
      if (registry.remove(request.name)) logger.info({ child: request.name }, 'child said goodbye');
      return { reply: {} };
    });
    this.sweeper = setInterval(() => {
      for (const name of registry.sweep()) logger.warn({ child: name }, 'child stopped answering; dropped');
    }, options.sweepMs ?? 250);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}

function countIndexes(inventory: Array<{ indexes: number[] }>): number {
  return inventory.reduce((sum, entry) => sum + entry.indexes.length, 0);
}
