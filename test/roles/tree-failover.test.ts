/**
 * The tree's failover, as deterministic tests: MasterService, ChildRegistry and MasterLink over the
 * in-memory network in virtual time. The multi-process tests in test/e2e prove the same wiring over
 * ZeroMQ with SIGKILL; these check the behaviour and its timing, exactly and fast.
 */
import { describe, expect, it } from 'vitest';
import { VirtualSwarm, type VirtualNode } from '../../core/sim/virtual-swarm.js';

function upstreamOf(node: VirtualNode): string | null {
  return node.link?.describe()?.name ?? null;
}

function onSupermaster(node: VirtualNode): boolean {
  return node.link?.describe()?.onSupermaster ?? false;
}

function childNames(node: VirtualNode): string[] {
  return node.registry.children().map((child) => child.name);
}

/** source <- mit <- alice (supermaster: the source, unless `named` is false). */
async function threeLevels(seed: number, named = true): Promise<VirtualSwarm> {
  const swarm = new VirtualSwarm(seed);
  swarm.node('source');
  swarm.node('mit', { master: 'source' });
  swarm.node('alice', { master: 'mit', ...(named ? { supermaster: 'source' } : {}) });
  await swarm.until('alice registered with mit', () => upstreamOf(swarm.get('alice')) === 'mit', 5_000);
  return swarm;
}

describe('failover in virtual time', () => {
  it('moves a child to its supermaster when its master dies, then back when the master returns', async () => {
    const swarm = await threeLevels(1);
    const alice = swarm.get('alice');
    expect(alice.link!.ownLevel()).toBe(2);

    swarm.get('mit').kill();
    const failover = await swarm.until(
      'alice on the source',
      () => upstreamOf(alice) === 'source' && onSupermaster(alice),
      10_000,
    );
    // Two missed heartbeats, then one register round trip. A heartbeat waits 1 s for its answer and
    // the next one is not sent while it waits, so two misses take up to 4 s.
    expect(failover).toBeGreaterThanOrEqual(2_000);
    expect(failover).toBeLessThan(4_100);
    expect(alice.link!.ownLevel()).toBe(1);
    expect(childNames(swarm.get('source'))).toContain('alice');

    swarm.node('mit', { master: 'source' });
    await swarm.until(
      'alice back under mit',
      () => upstreamOf(alice) === 'mit' && !onSupermaster(alice),
      5_000,
    );
    expect(alice.link!.ownLevel()).toBe(2);
    // Back home, alice said goodbye to the supermaster, which listed her for the time in between.
    await swarm.until(
      'source lets alice go',
      () => !childNames(swarm.get('source')).includes('alice'),
      1_000,
    );
  });

  it("falls back on its master's own master when no supermaster was named", async () => {
    const swarm = await threeLevels(2, false);
    const alice = swarm.get('alice');
    // All three started at once: alice registered while mit was still attaching, so mit had no
    // master of its own to name. Her next heartbeat finds that and registers again to learn it.
    await swarm.clock.advance(1_100);
    swarm.get('mit').kill();
    await swarm.until('alice on the source', () => upstreamOf(alice) === 'source', 10_000);
    expect(onSupermaster(alice)).toBe(true);
  });

  it('asks its master for a fallback again at most every 10 s while the master has none to give', async () => {
    const swarm = new VirtualSwarm(7);
    swarm.node('source').kill();
    const mit = swarm.node('mit', { master: 'source' });
    const alice = swarm.node('alice', { master: 'mit' });
    let registers = 0;
    const register = mit.registry.register.bind(mit.registry);
    mit.registry.register = (child) => {
      if (child.name === 'alice') registers += 1;
      return register(child);
    };
    await swarm.clock.advance(35_000);
    expect(upstreamOf(alice)).toBe('mit');
    // Mit never reaches its own master, so it names no fallback; alice asks again each 10 s only.
    expect(registers).toBeGreaterThanOrEqual(3);
    expect(registers).toBeLessThanOrEqual(5);
  });

  it('keeps retrying while neither master nor supermaster answers, and attaches when one returns', async () => {
    const swarm = await threeLevels(3);
    const alice = swarm.get('alice');
    swarm.get('mit').kill();
    swarm.get('source').kill();
    await swarm.clock.advance(30_000);
    expect(upstreamOf(alice)).toBeNull();
    swarm.node('source');
    // The retry back-off is capped at 5 s, so a returning node is found within that and a round trip.
    const back = await swarm.until('alice on the source again', () => upstreamOf(alice) === 'source', 8_000);
    expect(back).toBeLessThanOrEqual(5_100 + 2_000);
  });

  it('drops a dead child from its master in under 3 virtual seconds', async () => {
    const swarm = await threeLevels(4);
    const mit = swarm.get('mit');
    expect(childNames(mit)).toEqual(['alice']);
    swarm.get('alice').kill();
    const dropped = await swarm.until('mit drops alice', () => childNames(mit).length === 0, 10_000);
    expect(dropped).toBeLessThan(3_000);
    // Not before its heartbeats had time to be missed (deadAfterMs 2.5 s after the last one).
    expect(dropped).toBeGreaterThan(1_500);
  });

  it('drops a child that says goodbye at once', async () => {
    const swarm = await threeLevels(5);
    const mit = swarm.get('mit');
    await swarm.settle(swarm.get('alice').stop(), 5_000);
    expect(await swarm.until('mit lets alice go', () => childNames(mit).length === 0, 100)).toBeLessThan(100);
  });

  it('fails a partitioned child over, and brings it home when the partition heals', async () => {
    const swarm = await threeLevels(6);
    const [mit, alice] = [swarm.get('mit'), swarm.get('alice')];
    swarm.network.partition([alice.address], [mit.address]);
    await swarm.until('alice on the source', () => upstreamOf(alice) === 'source', 10_000);
    await swarm.until('mit drops alice', () => childNames(mit).length === 0, 5_000);
    swarm.network.heal();
    await swarm.until('alice back under mit', () => upstreamOf(alice) === 'mit', 5_000);
    expect(childNames(mit)).toEqual(['alice']);
  });
});

describe('a virtual run is repeatable', () => {
  /** A lossy run with a failover: what happened, and when. */
  async function lossyRun(seed: number): Promise<string[]> {
    const swarm = new VirtualSwarm(seed, { defaultLink: { latencyMs: 40, lossRate: 0.2 } });
    const events: string[] = [];
    swarm.node('source');
    swarm.node('mit', { master: 'source' });
    for (const name of ['alice', 'bob', 'carol']) swarm.node(name, { master: 'mit', supermaster: 'source' });
    const children = ['alice', 'bob', 'carol'].map((name) => swarm.get(name));
    let last = '';
    const watch = (): boolean => {
      const now = children.map((child) => `${child.name}:${upstreamOf(child) ?? '-'}`).join(' ');
      if (now !== last) events.push(`${swarm.clock.now() - Date.UTC(2026, 0, 1)} ${(last = now)}`);
      return false;
    };
    await swarm.clock.runUntil(watch, 5_000);
    swarm.get('mit').kill();
    await swarm.clock.runUntil(watch, 15_000);
    events.push(`messages ${swarm.network.totals.messages} lost ${swarm.network.totals.lost}`);
    return events;
  }

  it('gives the same events at the same times for the same seed, and others for another seed', async () => {
    const first = await lossyRun(42);
    expect(await lossyRun(42)).toEqual(first);
    expect(first.at(-1)).toMatch(/lost [1-9]/);
    expect(await lossyRun(43)).not.toEqual(first);
  });
});
