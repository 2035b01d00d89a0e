/**
 * A live master whose own master died is not taken for dead by its children: it answers a relayed
 * fetch TIMEOUT before their master timeout runs out (RELAY_ANSWER_MS), so they stay and ask again,
 * while it fails over itself. Before, its children left it and came back (the multi-host bed's
 * 4.4-5.9 s stalls).
 */
import { describe, expect, it } from 'vitest';
import { RELAY_ANSWER_MS } from '../../core/node/serving-service.js';
import { syntheticVideo } from '../../core/sim/synthetic-video.js';
import { VirtualSwarm } from '../../core/sim/virtual-swarm.js';
import { publish } from '../helpers/virtual-tree.js';

describe('a master relaying for its child while its own master is dead', () => {
  it('keeps its child, which gets the chunk once the master has failed over', async () => {
    const swarm = new VirtualSwarm(71, { defaultLink: { latencyMs: 10 } });
    const video = syntheticVideo('movie', 4, 16 * 1024, swarm.random);
    await publish(swarm.node('source'), video);
    swarm.node('upper', { master: 'source' });
    swarm.node('middle', { master: 'upper', supermaster: 'source' });
    const child = swarm.node('child', { master: 'middle' });
    await swarm.until('child under middle', () => child.link!.describe()?.name === 'middle', 5_000);
    // The manifest first, so what follows is one chunk's relay (a manifest is fetched by its own path).
    await swarm.settle(child.fetcher.fetch('movie', 0), 5_000);

    swarm.get('upper').kill();
    const masters = new Set<string>();
    const watch = swarm.clock.every(50, () => masters.add(child.link!.describe()?.name ?? '(none)'));
    const started = swarm.clock.now();
    const chunk = await swarm.settle(child.fetcher.fetch('movie', 2), 20_000);
    watch.cancel();

    expect(chunk.bytes.equals(video.chunks[2]!)).toBe(true);
    // The child never left its live master, though the first answer it had was TIMEOUT.
    expect([...masters]).toEqual(['middle']);
    expect(swarm.get('middle').link!.describe()?.name).toBe('source');
    expect(swarm.clock.now() - started).toBeGreaterThan(RELAY_ANSWER_MS);
  });
});
