import { describe, expect, it } from 'vitest';
import { ChildRegistry, type RegisterChild } from '../../core/node/child-registry.js';
import { PeerHealth } from '../../core/net/peer-health.js';
import { enlist } from '../helpers/enlist.js';
import { MOVIE_DIGEST, OTHER_DIGEST } from '../helpers/digests.js';

function child(
  name: string,
  port: number,
  indexes: number[],
  extra: Partial<RegisterChild> = {},
): RegisterChild {
  return {
    name,
    address: `tcp://127.0.0.1:${port}`,
    role: 'child',
    seeding: true,
    chunks: [{ video: 'movie', digest: MOVIE_DIGEST, indexes }],
    capacity: { maxInFlight: 4, uploadBytesPerSecond: 0, storeBytes: 0 },
    ...extra,
  };
}

describe('ChildRegistry', () => {
  it('drops a child that stops sending heartbeats within the dead-after bound', () => {
    let now = 0;
    const registry = new ChildRegistry(new PeerHealth({ now: () => now }), {
      deadAfterMs: 2_500,
      now: () => now,
    });
    enlist(registry, child('alice', 1, [0]));
    enlist(registry, child('bob', 2, [0]));
    now = 2_000;
    expect(registry.heartbeat('bob')).toBe(true);
    now = 2_600;
    expect(registry.sweep()).toEqual(['alice']);
    expect(registry.holders('movie', MOVIE_DIGEST, 0, 'carol').map((h) => h.name)).toEqual(['bob']);
    expect(registry.heartbeat('alice')).toBe(false);
  });

  it('suggests a child that missed a heartbeat last, whatever room it claims: it may have crashed', () => {
    let now = 0;
    const registry = new ChildRegistry(new PeerHealth({ now: () => now }), {
      deadAfterMs: 2_500,
      now: () => now,
    });
    enlist(registry, child('crashed', 1, [0], { room: 4 }));
    enlist(registry, child('busy', 2, [0], { room: 1 }));
    for (const name of ['crashed', 'busy']) registry.setReachable(name, registry.child(name)!.address, true);
    expect(registry.placesFor('orphan', 8).map((place) => place.name)).toEqual(['crashed', 'busy']);
    // Half the child timeout without a word from `crashed`: still listed, but no longer first.
    now = 1_300;
    registry.heartbeat('busy');
    expect(registry.placesFor('orphan', 8).map((place) => place.name)).toEqual(['busy', 'crashed']);
  });

  it('says when a taken name frees: the holder times out that long after it was last heard from', () => {
    let now = 0;
    const registry = new ChildRegistry(new PeerHealth({ now: () => now }), {
      deadAfterMs: 2_500,
      now: () => now,
    });
    enlist(registry, child('alice', 1, [0], { nodeId: 'a'.repeat(32) }));
    now = 1_000;
    const taken = enlist(registry, child('alice', 2, [1], { nodeId: 'b'.repeat(32) }));
    expect(taken).toMatchObject({ outcome: 'taken', expiresInMs: 1_501 });
    now += 1_501;
    expect(enlist(registry, child('alice', 2, [1], { nodeId: 'b'.repeat(32) }))).toEqual({
      outcome: 'registered',
    });
  });

  it('reports a flap when a registered child registers again, replacing its entries', () => {
    const registry = new ChildRegistry(new PeerHealth());
    expect(enlist(registry, child('alice', 1, [0, 1]))).toEqual({ outcome: 'registered' });
    expect(enlist(registry, child('alice', 1, [5]))).toEqual({ outcome: 'replaced' });
    expect(registry.holders('movie', MOVIE_DIGEST, 0, 'x')).toEqual([]);
    expect(registry.holders('movie', MOVIE_DIGEST, 5, 'x').map((h) => h.name)).toEqual(['alice']);
  });

  it('never lists the requester or a child that paused seeding, and puts failed holders last', () => {
    const health = new PeerHealth();
    const registry = new ChildRegistry(health);
    enlist(registry, child('alice', 1, [0]));
    enlist(registry, child('bob', 2, [0]));
    enlist(registry, child('carol', 3, [0], { seeding: false }));
    health.failed('tcp://127.0.0.1:1');
    for (let i = 0; i < 5; i++) {
      expect(registry.holders('movie', MOVIE_DIGEST, 0, 'dave').map((h) => h.name)).toEqual(['bob', 'alice']);
    }
    expect(registry.holders('movie', MOVIE_DIGEST, 0, 'bob').map((h) => h.name)).toEqual(['alice']);
  });

  it('spreads load: a holder named often recently moves behind one with spare capacity', () => {
    const registry = new ChildRegistry(new PeerHealth());
    enlist(registry, child('alice', 1, [0]));
    enlist(registry, child('bob', 2, [0]));
    const firsts = new Set<string>();
    for (let i = 0; i < 10; i++) firsts.add(registry.holders('movie', MOVIE_DIGEST, 0, 'carol')[0]!.name);
    expect(firsts).toEqual(new Set(['alice', 'bob']));
  });
});

describe('ChildRegistry and the content under a name', () => {
  it("ranks only holders of the asker's manifest, however well another ranks", () => {
    const health = new PeerHealth();
    const registry = new ChildRegistry(health);
    enlist(
      registry,
      child('alice', 1, [0], { chunks: [{ video: 'movie', digest: OTHER_DIGEST, indexes: [0] }] }),
    );
    enlist(registry, child('bob', 2, [0]));
    // bob is failing and alice is not: still, only bob holds this content.
    health.failed('tcp://127.0.0.1:2');
    for (let i = 0; i < 5; i++) {
      expect(registry.holders('movie', MOVIE_DIGEST, 0, 'carol').map((h) => h.name)).toEqual(['bob']);
    }
    expect(registry.holders('movie', OTHER_DIGEST, 0, 'carol').map((h) => h.name)).toEqual(['alice']);
  });
});

describe('ChildRegistry ranking', () => {
  it('does not put first a holder that claims a huge capacity', () => {
    const registry = new ChildRegistry(new PeerHealth());
    const eight = { maxInFlight: 8, uploadBytesPerSecond: 0, storeBytes: 0 };
    enlist(registry, child('alice', 1, [0], { capacity: eight }));
    enlist(
      registry,
      child('bob', 2, [0], { capacity: { maxInFlight: 1_000_000, uploadBytesPerSecond: 0, storeBytes: 0 } }),
    );
    const first = new Map<string, number>();
    for (let i = 0; i < 40; i++) {
      const name = registry.holders('movie', MOVIE_DIGEST, 0, 'asker')[0]!.name;
      first.set(name, (first.get(name) ?? 0) + 1);
    }
    // Both are named first about as often: a claim past 8 buys bob nothing.
    expect(Math.abs((first.get('alice') ?? 0) - (first.get('bob') ?? 0))).toBeLessThanOrEqual(8);
  });
});

describe('room deep in the tree', () => {
  /** A registry whose children all answered their dial-back, as a master's do once checked. */
  function checked(...children: RegisterChild[]): ChildRegistry {
    const registry = new ChildRegistry(new PeerHealth());
    for (const each of children) {
      registry.register(each);
      registry.setReachable(each.name, each.address, true);
    }
    return registry;
  }
  const deep = { name: 'deep', address: 'tcp://10.0.0.9:7000' };
  const deeper = { name: 'deeper', address: 'tcp://10.0.0.10:7000' };

  it('names a child with room, else the nearest room a full child reported below it', () => {
    const full = checked(
      child('a', 7001, [], { room: 0, levelsToRoom: 3, roomAt: deeper }),
      child('b', 7002, [], { room: 0, levelsToRoom: 1, roomAt: deep }),
    );
    expect(full.nearestRoomBelow()).toEqual(deep);
    const roomy = checked(
      child('a', 7001, [], { room: 0, levelsToRoom: 1, roomAt: deep }),
      child('c', 7003, [], { room: 2 }),
    );
    expect(roomy.nearestRoomBelow()).toMatchObject({ name: 'c' });
  });

  it('suggests the room below a full child in its place, once, and never a child it could not reach', () => {
    const registry = checked(
      child('a', 7001, [], { room: 0, levelsToRoom: 1, roomAt: deep }),
      child('b', 7002, [], { room: 0, levelsToRoom: 1, roomAt: deep }),
      child('c', 7003, [], { room: 0 }),
    );
    registry.register(child('natted', 7004, [], { room: 4 }));
    registry.setReachable('natted', 'tcp://127.0.0.1:7004', false);
    expect(registry.placesFor('newcomer', 8).map((place) => place.name)).toEqual(['deep', 'c']);
    expect(registry.nearestRoomBelow()).toEqual(deep);
  });

  it('spreads a join wave over the rooms until the children say again how much room they have', () => {
    const registry = checked(child('a', 7001, [], { room: 2 }), child('b', 7002, [], { room: 2 }));
    const firstOf = (): string => registry.placesFor('newcomer', 8)[0]!.name;
    const wave = [firstOf(), firstOf(), firstOf(), firstOf()];
    // Each room is promised in turn, never the same one twice running while the other has as much.
    expect(wave.filter((name) => name === 'a')).toHaveLength(2);
    expect(wave.filter((name) => name === 'b')).toHaveLength(2);
    expect(wave[0]).not.toBe(wave[1]);
    // Both promised out: a heartbeat from `b` with its room as it is now wipes its promises.
    registry.heartbeat('b', undefined, { room: 1 });
    expect(firstOf()).toBe('b');
    // A full child naming room below it is spread the same way, beside another at the same depth.
    const full = checked(
      child('x', 7003, [], { room: 0, levelsToRoom: 1, roomAt: deep, roomAtRoom: 2 }),
      child('y', 7004, [], { room: 0, levelsToRoom: 1, roomAt: deeper, roomAtRoom: 2 }),
    );
    const places = [0, 1, 2, 3].map(() => full.placesFor('newcomer', 8)[0]!.name);
    expect(places.filter((name) => name === 'deep')).toHaveLength(2);
    expect(places.filter((name) => name === 'deeper')).toHaveLength(2);
  });

  it('names a full child itself once the room it named is all promised, not that room again', () => {
    const registry = checked(
      child('x', 7003, [], { room: 0, levelsToRoom: 1, roomAt: deep, roomAtRoom: 2 }),
      child('y', 7004, [], { room: 0, levelsToRoom: 2, roomAt: deeper, roomAtRoom: 1 }),
    );
    const firstOf = (): string => registry.placesFor('newcomer', 8)[0]!.name;
    // The nearest room first, while it has room not yet promised, then the deeper one: its room is
    // open where the nearer is not.
    expect([firstOf(), firstOf(), firstOf()]).toEqual(['deep', 'deep', 'deeper']);
    // All promised: the children themselves, which place newcomers by what they know now.
    expect(registry.placesFor('newcomer', 8).map((place) => place.name)).toEqual(['x', 'y']);
    // What this node tells its own master: the nearest room, with none left to promise.
    expect(registry.nearestRoom()).toEqual({ place: deep, levels: 1, open: 0 });
    expect(registry.levelsToRoomBelow()).toBe(2);
    // A heartbeat from y with room again below it: that room is open, so it is named, deeper or not.
    registry.heartbeat('y', undefined, { room: 0, levelsToRoom: 2, roomAt: deeper, roomAtRoom: 3 });
    expect(registry.nearestRoom()).toEqual({ place: deeper, levels: 2, open: 3 });
    expect(registry.levelsToRoomBelow()).toBe(3);
    expect(firstOf()).toBe('deeper');
  });

  it('takes an older child that names no count for its room as one newcomer, then asks the child', () => {
    const registry = checked(child('x', 7003, [], { room: 0, levelsToRoom: 1, roomAt: deep }));
    const firstOf = (): string => registry.placesFor('newcomer', 8)[0]!.name;
    expect([firstOf(), firstOf()]).toEqual(['deep', 'x']);
  });
});
