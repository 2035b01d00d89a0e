/**
 * Admission, in virtual time: a master with --max-children sends newcomers and failing-over orphans
 * to its children with room (MASTER_FULL), nearest room first, and a node never registers below
 * itself (WOULD_LOOP). docs/SIMULATION.md shows what this does to a 1,000-node tree on home uplinks.
 */
import { describe, expect, it } from 'vitest';
import { VirtualSwarm } from '../../core/sim/virtual-swarm.js';
import { isPeerStreamerError } from '../../core/util/errors.js';
import { childNames, masterOf } from '../helpers/virtual-tree.js';

/** Starts `name` under `master` and runs until it is registered somewhere; returns where. */
async function join(
  swarm: VirtualSwarm,
  name: string,
  master: string,
  maxChildren?: number,
): Promise<string> {
  const node = swarm.node(name, { master, ...(maxChildren !== undefined ? { maxChildren } : {}) });
  await swarm.until(`${name} registered`, () => masterOf(node) !== null, 10_000);
  // A heartbeat, so its master knows its room.
  await swarm.clock.advance(1_100);
  return masterOf(node)!;
}

/** A source with a chain of nodes below it, each the master of the next. */
async function chain(seed: number, names: string[]): Promise<VirtualSwarm> {
  const swarm = new VirtualSwarm(seed);
  swarm.node('source');
  let master = 'source';
  for (const name of names) {
    await join(swarm, name, master);
    master = name;
  }
  return swarm;
}

describe('admission', () => {
  it('a full master sends a newcomer to the child with room, which becomes its master', async () => {
    const swarm = new VirtualSwarm(1);
    swarm.node('source', { maxChildren: 2 });
    expect(await join(swarm, 'a', 'source', 0)).toBe('source');
    expect(await join(swarm, 'b', 'source', 3)).toBe('source');

    expect(await join(swarm, 'c', 'source')).toBe('b');
    const c = swarm.get('c');
    expect(c.link!.ownLevel()).toBe(2);
    expect(childNames(swarm.get('source'))).toEqual(['a', 'b']);
    // Its new master's master (the full one) is its fallback: b dies, and by the time c has missed
    // two heartbeats the source has dropped b, so it has room for c.
    swarm.get('b').kill();
    await swarm.until('c placed again', () => masterOf(c) === 'source', 15_000);
    expect(childNames(swarm.get('source'))).toEqual(['a', 'c']);
  });

  it('sends a newcomer toward the nearest room, so the tree stays shallow', async () => {
    const swarm = new VirtualSwarm(2);
    swarm.node('source', { maxChildren: 2 });
    // Branch a is full for two levels; branch b has room one level down.
    await join(swarm, 'a', 'source', 1);
    await join(swarm, 'a1', 'a', 1);
    await join(swarm, 'a2', 'a1', 5);
    await join(swarm, 'b', 'source', 1);
    await join(swarm, 'b1', 'b', 3);
    // Room travels up one level per heartbeat.
    await swarm.clock.advance(3_000);
    expect(swarm.get('source').registry.child('a')?.levelsToRoom).toBe(2);
    expect(swarm.get('source').registry.child('b')?.levelsToRoom).toBe(1);

    expect(await join(swarm, 'c', 'source')).toBe('b1');
    expect(swarm.get('c').link!.ownLevel()).toBe(3);
  });

  it('sends an orphan to a sibling of its master with room, not onto its full supermaster', async () => {
    const swarm = new VirtualSwarm(3);
    swarm.node('source', { maxChildren: 2 });
    await join(swarm, 'm1', 'source', 1);
    await join(swarm, 'm2', 'source', 2);
    const x = swarm.node('x', { master: 'm1', supermaster: 'source' });
    await swarm.until('x under m1', () => masterOf(x) === 'm1', 5_000);
    await swarm.clock.advance(1_100);

    // What a fetch that timed out on a slow master does: x gives up on m1, which stays alive.
    x.link!.masterFailed(swarm.get('m1').address, 'a get timed out');
    await swarm.until('x placed again', () => masterOf(x) !== null, 10_000);
    expect(masterOf(x)).toBe('m2');
    expect(childNames(swarm.get('source'))).toEqual(['m1', 'm2']);
    // It said goodbye to the slow master, whose place is free for someone it can serve.
    expect(childNames(swarm.get('m1'))).toEqual([]);
  });

  it('takes a newcomer past its limit when no child can take it: a node with nowhere to go helps no one', async () => {
    const swarm = new VirtualSwarm(4);
    swarm.node('source', { maxChildren: 1 });
    await join(swarm, 'a', 'source', 0);
    // The source sends it to a; a is full and has no children to send it to, so a takes it.
    expect(await join(swarm, 'c', 'source')).toBe('a');
    expect(childNames(swarm.get('a'))).toEqual(['c']);
  });

  it('a master with room, or with no limit, takes whoever registers', async () => {
    const swarm = new VirtualSwarm(5);
    swarm.node('source');
    for (const name of ['a', 'b', 'c', 'd']) expect(await join(swarm, name, 'source')).toBe('source');
    expect(swarm.get('source').service.room()).toBeUndefined();
  });

  it('refuses a node that is above it in the tree (WOULD_LOOP), naming it', async () => {
    const swarm = await chain(6, ['a', 'b']);
    const a = swarm.get('a');
    const b = swarm.get('b');
    expect(b.link!.pathAbove()).toEqual([swarm.get('source').address, a.address]);

    const refusal = await swarm
      .settle(
        a.host.request(
          b.address,
          {
            type: 'register',
            name: 'a',
            nodeId: 'a-id',
            address: a.address,
            role: 'master',
            seeding: true,
            chunks: [],
            capacity: { maxInFlight: 16, uploadBytesPerSecond: 0, storeBytes: 0 },
          },
          { timeoutMs: 1_000 },
        ),
        5_000,
      )
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(isPeerStreamerError(refusal)).toBe(true);
    expect((refusal as { context: { remoteCode: string } }).context.remoteCode).toBe('WOULD_LOOP');
    expect((refusal as Error).message).toContain(a.address);
    expect(childNames(b)).toEqual([]);
  });

  it('goes further up its path when its master and its fallback die together', async () => {
    const swarm = await chain(8, ['a', 'b', 'c']);
    const c = swarm.get('c');
    expect(c.link!.pathAbove()).toEqual(['source', 'a', 'b'].map((name) => swarm.get(name).address));
    // The path names the root, so a node three levels down asks it for the whole tree.
    expect(c.link!.rootAddress()).toBe(swarm.get('source').address);
    // Churn can take a master and its master at once: c's fallback (a) is gone too.
    swarm.get('b').kill();
    swarm.get('a').kill();
    await swarm.until('c on the source', () => masterOf(c) === 'source', 20_000);
    expect(childNames(swarm.get('source'))).toContain('c');
  });

  it('comes back in where it entered when the place it was sent to dies before naming a fallback', async () => {
    const swarm = new VirtualSwarm(9);
    const source = swarm.node('source', { maxChildren: 1 });
    await join(swarm, 'a', 'source', 1);
    const p = swarm.node('p', { master: 'a', maxChildren: 2 });
    await swarm.until('p under a', () => masterOf(p) === 'a', 10_000);
    // Heartbeats up the chain: the source learns that the room below a is at p.
    await swarm.clock.advance(2_200);
    expect(source.registry.nearestRoomBelow()?.name).toBe('p');
    // a's process dies: p hears its connection close and is between masters (the source, full
    // until it drops a, sends p back to a's room, which is p itself).
    swarm.get('a').kill('reset');
    await swarm.until('p between masters', () => p.link!.describe() === null, 5_000);
    // A newcomer by the source is sent to p, which takes it with no master of its own to name as
    // the newcomer's fallback, and no path.
    const n = swarm.node('n', { master: 'source' });
    await swarm.until('n under p', () => masterOf(n) === 'p', 5_000);
    p.kill('reset');
    // n's only place is gone; where it came in takes it again, once a is dropped there.
    await swarm.until('n back on the source', () => masterOf(n) === 'source', 20_000);
  });

  it('each heartbeat brings the path and level as they are now, after a master above moved', async () => {
    const swarm = await chain(7, ['m', 'n', 'x']);
    const x = swarm.get('x');
    expect(x.link!.ownLevel()).toBe(3);
    // n moves up under the source: x's registration said level 3; its heartbeats now say 2.
    swarm.get('n').link!.masterFailed(swarm.get('m').address, 'moved');
    await swarm.until('n under the source', () => masterOf(swarm.get('n')) === 'source', 10_000);
    await swarm.until('x sees it', () => x.link!.ownLevel() === 2, 3_000);
    expect(x.link!.pathAbove()).toEqual([swarm.get('source').address, swarm.get('n').address]);
  });
});
