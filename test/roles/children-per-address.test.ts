/**
 * One host cannot take every place at a master under many keys and names (issue 10 §2: a cap on
 * registrations per source IP). Many hosts share one IP here, each with its own key, as a stranger
 * making key pairs would; test/net/routing-proof.test.ts shows a real socket's IP reaching the
 * master through the ZAP handler.
 */
import { describe, expect, it } from 'vitest';
import { VirtualSwarm } from '../../core/sim/virtual-swarm.js';
import { MemoryChunkStore } from '../../core/store/memory-chunk-store.js';
import { movieHolderRegister } from '../helpers/child-register.js';
import { holdMovie } from '../helpers/digests.js';

const MOVIE = holdMovie(new MemoryChunkStore());

const register = (name: string, address: string) => movieHolderRegister(name, address, MOVIE, [0]);

type Refusal = { remoteCode?: string; tryInstead?: unknown[] } | undefined;

describe('children per address at a master', () => {
  it('sends a newcomer elsewhere once its IP has its share, counts it, and takes it again when one leaves', async () => {
    const swarm = new VirtualSwarm(41);
    const source = swarm.node('source', { maxChildrenPerAddress: 3 });
    const hosts = Array.from({ length: 4 }, (_, i) => swarm.network.host(`tcp://10.99.0.1:${7001 + i}`));
    const attempt = (at: number, name: string): Promise<Refusal | null> =>
      swarm
        .settle(
          hosts[at]!.request(source.address, register(name, hosts[at]!.address), { timeoutMs: 1_000 }),
          5_000,
        )
        .then(
          () => null,
          (error: { context?: Refusal; message: string }) => ({ ...error.context, message: error.message }),
        );

    for (const at of [0, 1, 2]) expect(await attempt(at, `same-ip-${at}`)).toBeNull();
    const refused = await attempt(3, 'same-ip-3');
    expect(refused?.remoteCode).toBe('MASTER_FULL');
    expect((refused as { message: string }).message).toMatch(/3 children from 10\.99\.0\.1/);
    expect(source.service.limitHits.childrenPerAddress).toBe(1);
    expect(source.registry.child('same-ip-3')).toBeUndefined();

    // Another IP is not crowded, and a child already here may register again.
    const elsewhere = swarm.network.host('tcp://10.99.0.2:7001');
    await swarm.settle(
      elsewhere.request(source.address, register('other-ip', elsewhere.address), { timeoutMs: 1_000 }),
      5_000,
    );
    expect(await attempt(0, 'same-ip-0')).toBeNull();

    // One leaves: its place is free for the next from that IP.
    await swarm.settle(
      hosts[1]!.request(source.address, { type: 'bye', name: 'same-ip-1' }, { timeoutMs: 1_000 }),
      5_000,
    );
    expect(await attempt(3, 'same-ip-3')).toBeNull();
    expect(source.registry.count).toBe(4);
    expect(source.service.limitHits.childrenPerAddress).toBe(1);
  });
});
