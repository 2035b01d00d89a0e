/**
 * Drifting up (core/node/drift-up.ts), in virtual time: a node that has been up well longer than
 * its master, is reachable and takes as many children moves to its master's master, with its
 * subtree, into room there or in place of a young child (which goes down); a young node, an
 * unreachable one or a smaller one stays, and so does one the master's master has no place for. docs/SIMULATION.md shows what it does to a 1,000-node tree with churn.
 */
import { describe, expect, it } from 'vitest';
import { syntheticVideo } from '../../core/sim/synthetic-video.js';
import type { RegisterRequest } from '../../core/protocol/messages.js';
import { VirtualSwarm, type VirtualNodeOptions } from '../../core/sim/virtual-swarm.js';
import { childNames, masterOf, publish } from '../helpers/virtual-tree.js';

/** Checks every 10 s (5–15 s with jitter), and a node settles 20 s under a master before it moves. */
const DRIFT = { everyMs: 10_000, settleMs: 20_000 };

/**
 * source <- g <- m <- c, every node drifting; a minute later m restarts (a crash and a start at
 * once, as a supervisor would), so c, which registers with it again at once, has been up far longer
 * than its master.
 */
async function outrankedMaster(
  seed: number,
  options: { g?: VirtualNodeOptions; m?: VirtualNodeOptions; c?: VirtualNodeOptions } = {},
): Promise<VirtualSwarm> {
  const swarm = new VirtualSwarm(seed, { defaultLink: { latencyMs: 10 } });
  swarm.node('source', { drift: DRIFT });
  swarm.node('g', { master: 'source', drift: DRIFT, ...options.g });
  swarm.node('m', { master: 'g', drift: DRIFT, ...options.m });
  const c = swarm.node('c', { master: 'm', drift: DRIFT, ...options.c });
  await swarm.until('c under m', () => masterOf(c) === 'm', 5_000);
  // Up a minute before its master restarts: by far the older of the two after that.
  await swarm.clock.advance(60_000);
  swarm.get('m').kill();
  const m = swarm.node('m', { master: 'g', drift: DRIFT, ...options.m });
  await swarm.until('m back under g', () => masterOf(m) === 'g', 5_000);
  // c's next heartbeat is NOT_REGISTERED: it registers with the new m, which is younger than it.
  await swarm.until(
    'c registered with the new m',
    () => childNames(m).includes('c') && masterOf(c) === 'm',
    10_000,
  );
  return swarm;
}

describe('drifting up', () => {
  it('an old node under a young master moves to its master’s master when that one has room, with its subtree', async () => {
    const swarm = await outrankedMaster(71, { g: { maxChildren: 4 } });
    const c = swarm.get('c');
    const d = swarm.node('d', { master: 'c', drift: DRIFT });
    await swarm.until('d under c', () => masterOf(d) === 'c', 5_000);
    expect(c.link!.ownLevel()).toBe(3);

    await swarm.until('c drifted up to g', () => masterOf(c) === 'g', 60_000);
    expect(c.counters.movesUp).toBe(1);
    await swarm.clock.advance(200);
    expect(childNames(swarm.get('g'))).toEqual(['c', 'm']);
    // It said goodbye: m let it go at once, not after a child timeout.
    expect(childNames(swarm.get('m'))).toEqual([]);
    expect(c.link!.ownLevel()).toBe(2);
    // Its child stays its child, and learns its new level from the next heartbeat's path.
    await swarm.clock.advance(2_000);
    expect(masterOf(d)).toBe('c');
    expect(childNames(c)).toEqual(['d']);
    expect(d.link!.ownLevel()).toBe(3);
    expect(d.counters.movesUp).toBe(0);
  });

  it('never pushes a subtree down: a full master’s master keeps a young master with children, and the old node stays', async () => {
    const swarm = await outrankedMaster(72, { g: { maxChildren: 1 } });
    const c = swarm.get('c');
    const g = swarm.get('g');
    const e = swarm.node('e', { master: 'm', drift: DRIFT });
    await swarm.until('e under m', () => masterOf(e) === 'm', 5_000);
    // c outranks m, and g (full with m) is where it would go: m has children, so g keeps it.
    await swarm.clock.advance(10 * 60_000);
    expect(g.service.displaced).toBe(0);
    expect(childNames(g)).toEqual(['m']);
    expect(masterOf(c)).toBe('m');
    expect(masterOf(e)).toBe('m');
    expect(c.counters.movesUp).toBe(0);
  });

  it('an old node under an old master takes the place of a young node at its master’s level', async () => {
    // source (room for 2) <- g <- c, all old; a minute later y joins the source as a leaf. c does not
    // outrank g, but it outranks y, the youngest at g's level: the source swaps y for c.
    const swarm = new VirtualSwarm(79, { defaultLink: { latencyMs: 10 } });
    const source = swarm.node('source', { maxChildren: 2, drift: DRIFT });
    const g = swarm.node('g', { master: 'source', drift: DRIFT });
    const c = swarm.node('c', { master: 'g', drift: DRIFT });
    await swarm.until('c under g', () => masterOf(c) === 'g', 5_000);
    await swarm.clock.advance(60_000);
    // y says how many children it takes, so the source knows it has none (its room is all of them).
    const y = swarm.node('y', { master: 'source', maxChildren: 2, drift: DRIFT });
    await swarm.until('y under the source', () => masterOf(y) === 'source', 5_000);

    await swarm.until('c moved up to the source', () => masterOf(c) === 'source', 60_000);
    await swarm.until('y placed below', () => masterOf(y) !== null && masterOf(y) !== 'source', 10_000);
    expect(childNames(source)).toEqual(['c', 'g']);
    expect(source.service.displaced).toBe(1);
    expect(['g', 'c']).toContain(masterOf(y));
    // Nobody moves after that: g and c are each other's equals, and y is younger than everyone.
    await swarm.clock.advance(10 * 60_000);
    expect(childNames(source)).toEqual(['c', 'g']);
    expect(c.counters.movesUp + g.counters.movesUp + y.counters.movesUp).toBe(1);
  });

  it('a full master refuses a node moving up that outranks none of its children, with no suggestions', async () => {
    const swarm = new VirtualSwarm(78, { defaultLink: { latencyMs: 10 } });
    swarm.node('source');
    const g = swarm.node('g', { master: 'source', maxChildren: 1 });
    const old = swarm.node('old', { master: 'g', maxChildren: 4 });
    await swarm.until('old under g', () => masterOf(old) === 'g', 5_000);
    await swarm.clock.advance(60_000);
    const asker = swarm.network.host('tcp://10.9.9.9:7000');
    const register = (name: string, fields: Partial<RegisterRequest>) =>
      swarm
        .settle(
          asker.request(
            g.address,
            {
              type: 'register',
              name,
              nodeId: `${name}-id`,
              address: asker.address,
              role: 'master',
              seeding: true,
              chunks: [],
              capacity: { maxInFlight: 16, uploadBytesPerSecond: 0, storeBytes: 0 },
              ...fields,
            },
            { timeoutMs: 1_000 },
          ),
          5_000,
        )
        .then(
          () => null,
          (error: unknown) => error as { context: { remoteCode?: string; tryInstead?: unknown[] } },
        );

    // Up 70 s against old's 61 s: not 1.25 times as long.
    const young = await register('young', { moveUp: true, uptimeMs: 70_000, maxChildren: 4 });
    expect(young?.context.remoteCode).toBe('MASTER_FULL');
    expect(young?.context.tryInstead ?? []).toEqual([]);
    // Older, but it takes fewer children than old: the level would lose room.
    const small = await register('small', { moveUp: true, uptimeMs: 600_000, maxChildren: 2 });
    expect(small?.context.remoteCode).toBe('MASTER_FULL');
    expect(childNames(g)).toEqual(['old']);
    expect(g.service.displaced).toBe(0);
    // Older and as roomy: old is let go for it.
    expect(await register('elder', { moveUp: true, uptimeMs: 600_000, maxChildren: 4 })).toBeNull();
    expect(childNames(g)).toEqual(['elder']);
    expect(g.service.displaced).toBe(1);
  });

  it('a full master swaps out a childless child before a younger one with children of its own', async () => {
    const swarm = new VirtualSwarm(80, { defaultLink: { latencyMs: 10 } });
    swarm.node('source');
    const g = swarm.node('g', { master: 'source', maxChildren: 2 });
    await swarm.clock.advance(60_000);
    const b = swarm.node('b', { master: 'g', maxChildren: 4 });
    await swarm.until('b under g', () => masterOf(b) === 'g', 5_000);
    await swarm.clock.advance(5_000);
    const a = swarm.node('a', { master: 'g', maxChildren: 4 });
    await swarm.until('a under g', () => masterOf(a) === 'g', 5_000);
    const ac = swarm.node('ac', { master: 'a' });
    await swarm.until('ac under a', () => masterOf(ac) === 'a', 5_000);
    // A heartbeat, so g knows a's room (3 of 4) and b's (4 of 4).
    await swarm.clock.advance(2_000);

    const asker = swarm.network.host('tcp://10.9.9.8:7000');
    await swarm.settle(
      asker.request(
        g.address,
        {
          type: 'register',
          name: 'elder',
          nodeId: 'elder-id',
          address: asker.address,
          role: 'master',
          seeding: true,
          chunks: [],
          capacity: { maxInFlight: 16, uploadBytesPerSecond: 0, storeBytes: 0 },
          moveUp: true,
          uptimeMs: 600_000,
          maxChildren: 4,
        },
        { timeoutMs: 1_000 },
      ),
      5_000,
    );
    // a is the younger, but it would take ac down with it: b, alone, goes.
    expect(childNames(g)).toEqual(['a', 'elder']);
    await swarm.until('b placed below', () => masterOf(b) !== null && masterOf(b) !== 'g', 10_000);
    expect(masterOf(ac)).toBe('a');
  });

  it('a young node never moves, even with room above', async () => {
    const swarm = new VirtualSwarm(73, { defaultLink: { latencyMs: 10 } });
    swarm.node('source', { drift: DRIFT });
    swarm.node('g', { master: 'source', maxChildren: 8, drift: DRIFT });
    swarm.node('m', { master: 'g', drift: DRIFT });
    await swarm.clock.advance(1_000);
    const c = swarm.node('c', { master: 'm', drift: DRIFT });
    await swarm.clock.advance(10 * 60_000);
    expect(masterOf(c)).toBe('m');
    expect(c.counters.movesUp).toBe(0);
    expect(swarm.get('m').counters.movesUp).toBe(0);
  });

  it('an unreachable node never moves: it could serve no one higher up', async () => {
    const swarm = await outrankedMaster(74, { g: { maxChildren: 8 }, c: { host: { behindNat: true } } });
    const c = swarm.get('c');
    await swarm.clock.advance(10 * 60_000);
    expect(c.link!.describe()?.reachable).toBe(false);
    expect(masterOf(c)).toBe('m');
    expect(c.counters.movesUp).toBe(0);
  });

  it('a node that takes fewer children than its master never passes it', async () => {
    const swarm = await outrankedMaster(75, {
      g: { maxChildren: 8 },
      m: { maxChildren: 4 },
      c: { maxChildren: 2 },
    });
    const c = swarm.get('c');
    await swarm.clock.advance(10 * 60_000);
    expect(masterOf(c)).toBe('m');
    expect(c.counters.movesUp).toBe(0);
  });

  it('does not flap: one level per settling time, and it stops under a master older than itself', async () => {
    // c outranks m and g both (both restarted after it): it climbs to g, then to the source, then
    // stays there for good.
    const swarm = new VirtualSwarm(76, { defaultLink: { latencyMs: 10 } });
    swarm.node('source', { drift: DRIFT });
    swarm.node('g', { master: 'source', drift: DRIFT });
    swarm.node('m', { master: 'g', drift: DRIFT });
    const c = swarm.node('c', { master: 'm', drift: DRIFT });
    await swarm.until('c under m', () => masterOf(c) === 'm', 5_000);
    // Up a minute before its master restarts: by far the older of the two after that.
    await swarm.clock.advance(60_000);
    swarm.get('g').kill();
    swarm.node('g', { master: 'source', drift: DRIFT });
    swarm.get('m').kill();
    const m = swarm.node('m', { master: 'g', drift: DRIFT });
    await swarm.until('c under the new m', () => childNames(m).includes('c') && masterOf(c) === 'm', 10_000);

    const movedAt: number[] = [];
    const levels: number[] = [];
    let last = masterOf(c);
    for (let second = 0; second < 15 * 60; second++) {
      await swarm.clock.advance(1_000);
      const now = masterOf(c);
      if (now !== last) {
        movedAt.push(swarm.clock.now());
        levels.push(c.link!.ownLevel()!);
        last = now;
      }
    }
    expect(levels).toEqual([2, 1]);
    expect(masterOf(c)).toBe('source');
    expect(c.counters.movesUp).toBe(2);
    expect(movedAt[1]! - movedAt[0]!).toBeGreaterThanOrEqual(DRIFT.settleMs);
    // Nobody else moved: g and m are younger than their masters.
    expect(swarm.get('g').counters.movesUp + m.counters.movesUp).toBe(0);
  });

  it('plays on through a move, byte for byte, each chunk in well under a second', async () => {
    const swarm = new VirtualSwarm(77, { defaultLink: { latencyMs: 15 } });
    const video = syntheticVideo('movie', 40, 32 * 1024, swarm.random);
    await publish(swarm.node('source', { drift: DRIFT }), video);
    swarm.node('g', { master: 'source', maxChildren: 4, drift: DRIFT });
    swarm.node('m', { master: 'g', drift: DRIFT });
    const c = swarm.node('c', { master: 'm', drift: DRIFT });
    await swarm.until('c under m', () => masterOf(c) === 'm', 5_000);
    // Up a minute before its master restarts: by far the older of the two after that.
    await swarm.clock.advance(60_000);
    swarm.get('m').kill();
    const m = swarm.node('m', { master: 'g', drift: DRIFT });
    await swarm.until('c under the new m', () => childNames(m).includes('c') && masterOf(c) === 'm', 10_000);

    let movedAtChunk: number | undefined;
    for (let index = 0; index < video.chunks.length; index++) {
      const asked = swarm.clock.now();
      const chunk = await swarm.settle(c.fetcher.fetch('movie', index), 20_000);
      expect(chunk.bytes.equals(video.chunks[index]!), `chunk ${index}`).toBe(true);
      expect(swarm.clock.now() - asked, `chunk ${index}`).toBeLessThan(1_000);
      if (movedAtChunk === undefined && masterOf(c) === 'g') movedAtChunk = index;
      // A player's pace: one 2 s chunk at a time.
      await swarm.clock.advance(2_000);
    }
    // The move came in the middle of the video, not before or after it.
    expect(movedAtChunk).toBeGreaterThan(0);
    expect(movedAtChunk).toBeLessThan(video.chunks.length - 1);
    expect(c.counters.movesUp).toBe(1);
    expect(c.counters.failovers).toBe(0);
  });
});
