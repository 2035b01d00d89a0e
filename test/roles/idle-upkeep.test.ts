/**
 * A node's periodic upkeep runs only while it has work: a master sweeps while it has children, a
 * child probes its home master only while on its supermaster, reports leave only when chunks
 * changed. On a real node idle timers are cheap; in a simulated tree of 100,000 nodes each empty
 * tick is an event, so these bounds are what keeps the simulator's work proportional to the tree's.
 */
import { describe, expect, it } from 'vitest';
import { VirtualSwarm } from '../../core/sim/virtual-swarm.js';

describe('idle upkeep', () => {
  it('a node without children or a master sets no timers', async () => {
    const swarm = new VirtualSwarm(3);
    swarm.node('source');
    const before = swarm.clock.fired;
    await swarm.clock.advance(60_000);
    expect(swarm.clock.fired - before).toBe(0);
  });

  it('a quiet child costs its heartbeat and its master one sweep per 250 ms, and nothing once it left', async () => {
    const swarm = new VirtualSwarm(4, { defaultLink: { latencyMs: 10 } });
    swarm.node('source');
    const alice = swarm.node('alice', { master: 'source' });
    await swarm.until('alice registered', () => alice.link?.describe()?.name === 'source', 5_000);
    await swarm.clock.advance(2_000);

    const before = swarm.clock.fired;
    await swarm.clock.advance(10_000);
    // Each second: one heartbeat timer, its ping and its reply on the wire (3), and four sweeps.
    expect(swarm.clock.fired - before).toBe(10 * (3 + 4));

    await swarm.settle(alice.stop(), 5_000);
    await swarm.clock.advance(1_000);
    const afterLeaving = swarm.clock.fired;
    await swarm.clock.advance(10_000);
    expect(swarm.clock.fired - afterLeaving).toBe(0);
  });
});
