/**
 * A master drops a child that stopped sending heartbeats within 3 s: the registry's default
 * dead-after (2.5 s) plus the MasterService's sweep (every 250 ms), on a fake clock so the bound is
 * checked exactly, however loaded the machine. test/e2e/tree.test.ts shows it with real processes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChildRegistry } from '../../core/node/child-registry.js';
import { MasterService } from '../../core/node/master-service.js';
import { PeerHealth } from '../../core/net/peer-health.js';
import { PeerServer } from '../../core/net/server.js';
import { PeerClient } from '../../core/net/client.js';
import { silentLogger } from '../../core/util/logger.js';
import { enlist } from '../helpers/enlist.js';
import { MOVIE_DIGEST } from '../helpers/digests.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('a silent child', () => {
  it('is listed until 2.5 s after its last heartbeat and gone by 3 s', async () => {
    // Before the registry exists: it reads the clock through Date.now, which the fake replaces.
    vi.useFakeTimers();
    const health = new PeerHealth();
    const registry = new ChildRegistry(health);
    // Never bound: MasterService only registers its handlers on it.
    const server = new PeerServer({ bind: 'tcp://127.0.0.1:0', name: 'master' });
    const client = new PeerClient();
    const service = new MasterService({
      server,
      registry,
      health,
      logger: silentLogger(),
      selfName: 'master',
      level: () => 0,
      supermasterForChildren: () => undefined,
      pathAbove: () => [],
      selfAddress: () => 'tcp://127.0.0.1:1',
      ownDigest: () => undefined,
      // Unused here: nothing registers over the wire, so no name conflict sends a ping.
      transport: client,
    });
    try {
      enlist(registry, {
        name: 'alice',
        address: 'tcp://127.0.0.1:7001',
        role: 'child',
        seeding: true,
        chunks: [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [0, 1] }],
        capacity: { maxInFlight: 4, uploadBytesPerSecond: 0, storeBytes: 0 },
      });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(registry.heartbeat('alice')).toBe(true);
      // 2.4 s after that heartbeat it is still a holder.
      await vi.advanceTimersByTimeAsync(2_400);
      expect(registry.holders('movie', MOVIE_DIGEST, 0, 'bob').map((holder) => holder.name)).toEqual([
        'alice',
      ]);
      // By 3 s the sweep has dropped it, from the children and from the chunk directory.
      await vi.advanceTimersByTimeAsync(600);
      expect(registry.children()).toEqual([]);
      expect(registry.holders('movie', MOVIE_DIGEST, 0, 'bob')).toEqual([]);
    } finally {
      service.close();
      await server.close();
      await client.close();
    }
  });
});
