/**
 * One node per name under a master: a register under a live name from another node id is refused
 * and changes nothing; the same id (a restart) replaces; a dead or departed holder frees the name;
 * messages from another id never count for the holder. Nodes without ids behave as before ids.
 */
import { describe, expect, it } from 'vitest';
import { ChildRegistry, type RegisterChild } from '../../core/node/child-registry.js';
import { PeerHealth } from '../../core/net/peer-health.js';
import { enlist } from '../helpers/enlist.js';
import { MOVIE_DIGEST } from '../helpers/digests.js';

const FIRST = 'a'.repeat(32);
const SECOND = 'b'.repeat(32);

function child(port: number, indexes: number[], nodeId: string | undefined): RegisterChild {
  return {
    name: 'ben',
    ...(nodeId === undefined ? {} : { nodeId }),
    address: `tcp://127.0.0.1:${port}`,
    role: 'child',
    seeding: true,
    chunks: [{ video: 'movie', digest: MOVIE_DIGEST, indexes }],
    capacity: { maxInFlight: 4, uploadBytesPerSecond: 0, storeBytes: 0 },
  };
}

function setup() {
  const clock = { now: 0 };
  const registry = new ChildRegistry(new PeerHealth({ now: () => clock.now }), {
    deadAfterMs: 2_500,
    now: () => clock.now,
  });
  const view = () => ({
    address: registry.child('ben')?.address,
    nodeId: registry.child('ben')?.nodeId,
    holds: registry.directory.inventoryOf('ben'),
    holders: registry.holders('movie', MOVIE_DIGEST, 0, 'someone').map((holder) => holder.address),
  });
  return { clock, registry, view };
}

describe('a name under a master belongs to one node', () => {
  it('refuses another node id while the holder lives, leaving the holder untouched', () => {
    const { clock, registry, view } = setup();
    expect(enlist(registry, child(1, [0, 1], FIRST))).toEqual({ outcome: 'registered' });
    const before = view();
    clock.now = 2_000;
    const result = enlist(registry, child(2, [0, 7, 8], SECOND));
    expect(result.outcome).toBe('taken');
    expect(result.outcome === 'taken' && result.holder.address).toBe('tcp://127.0.0.1:1');
    expect(view()).toEqual(before);
    expect(view()).toEqual({
      address: 'tcp://127.0.0.1:1',
      nodeId: FIRST,
      holds: { movie: [0, 1] },
      holders: ['tcp://127.0.0.1:1'],
    });
    // The refused register was no heartbeat: the holder still dies on its own schedule.
    clock.now = 2_600;
    expect(registry.sweep()).toEqual(['ben']);
  });

  it('lets the same node id replace its registration (a restart on the same store)', () => {
    const { clock, registry, view } = setup();
    enlist(registry, child(1, [0, 1], FIRST));
    clock.now = 500;
    expect(enlist(registry, child(3, [4], FIRST))).toEqual({ outcome: 'replaced' });
    expect(view()).toMatchObject({ address: 'tcp://127.0.0.1:3', holds: { movie: [4] }, holders: [] });
  });

  it('frees the name once the holder stops answering, even before the sweep runs', () => {
    const { clock, registry, view } = setup();
    enlist(registry, child(1, [0], FIRST));
    clock.now = 2_501;
    expect(enlist(registry, child(2, [9], SECOND))).toEqual({ outcome: 'registered' });
    expect(view()).toMatchObject({ nodeId: SECOND, address: 'tcp://127.0.0.1:2', holds: { movie: [9] } });
  });

  it('frees the name when the holder says goodbye; a goodbye from another id removes nothing', () => {
    const { registry, view } = setup();
    enlist(registry, child(1, [0], FIRST));
    expect(registry.leave('ben', SECOND)).toBe(false);
    expect(registry.leave('ben')).toBe(false);
    expect(view().nodeId).toBe(FIRST);
    expect(registry.leave('ben', FIRST)).toBe(true);
    expect(enlist(registry, child(2, [0], SECOND))).toEqual({ outcome: 'registered' });
  });

  it('counts heartbeats and reports only from the holder', () => {
    const { clock, registry, view } = setup();
    enlist(registry, child(1, [0], FIRST));
    clock.now = 2_000;
    expect(registry.heartbeat('ben', SECOND)).toBe(false);
    expect(registry.heartbeat('ben')).toBe(false);
    expect(registry.report('ben', [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [5] }], [], SECOND)).toBe(
      false,
    );
    expect(registry.report('ben', [], [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [0] }])).toBe(false);
    expect(view().holds).toEqual({ movie: [0] });
    expect(registry.report('ben', [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [5] }], [], FIRST)).toBe(
      true,
    );
    expect(view().holds).toEqual({ movie: [0, 5] });
    clock.now = 4_000;
    expect(registry.heartbeat('ben', FIRST)).toBe(true);
    clock.now = 6_000;
    expect(registry.sweep()).toEqual([]);
  });
});

describe('nodes without ids (older nodes) behave as before', () => {
  it('an id-less holder is replaced by any register, with or without an id', () => {
    const { registry, view } = setup();
    enlist(registry, child(1, [0], undefined));
    expect(enlist(registry, child(2, [1], undefined))).toEqual({ outcome: 'replaced' });
    expect(registry.heartbeat('ben')).toBe(true);
    expect(enlist(registry, child(3, [2], FIRST))).toEqual({ outcome: 'replaced' });
    expect(view()).toMatchObject({ nodeId: FIRST, address: 'tcp://127.0.0.1:3' });
  });

  it('an id-less register cannot displace a holder with an id: it cannot prove it is that node', () => {
    const { registry, view } = setup();
    enlist(registry, child(1, [0], FIRST));
    expect(enlist(registry, child(2, [1], undefined)).outcome).toBe('taken');
    expect(view().address).toBe('tcp://127.0.0.1:1');
  });
});
