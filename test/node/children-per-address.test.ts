import { describe, expect, it } from 'vitest';
import { ChildrenPerAddress } from '../../core/node/children-per-address.js';

describe('ChildrenPerAddress', () => {
  const live = new Set<string>();
  const isLive = (name: string): boolean => live.has(name);
  const register = (counts: ChildrenPerAddress, name: string, address: string | undefined): void => {
    live.add(name);
    counts.record(name, address);
  };

  it('says an address is crowded once it has its share of live children, and by how many', () => {
    live.clear();
    const counts = new ChildrenPerAddress({ limit: 2 });
    register(counts, 'a', '10.0.0.1');
    expect(counts.crowded('10.0.0.1', isLive)).toBeNull();
    register(counts, 'b', '10.0.0.1');
    expect(counts.crowded('10.0.0.1', isLive)).toBe(2);
    expect(counts.crowded('10.0.0.2', isLive)).toBeNull();
  });

  it('stops counting a child once it is no longer registered, however it left', () => {
    live.clear();
    const counts = new ChildrenPerAddress({ limit: 2 });
    register(counts, 'a', '10.0.0.1');
    register(counts, 'b', '10.0.0.1');
    live.delete('a');
    expect(counts.crowded('10.0.0.1', isLive)).toBeNull();
  });

  it('counts a name that registers again from another address at the new one only', () => {
    live.clear();
    const counts = new ChildrenPerAddress({ limit: 1 });
    register(counts, 'a', '10.0.0.1');
    register(counts, 'a', '10.0.0.2');
    expect(counts.crowded('10.0.0.1', isLive)).toBeNull();
    expect(counts.crowded('10.0.0.2', isLive)).toBe(1);
  });

  it('leaves loopback and unknown addresses alone unless told to count loopback', () => {
    live.clear();
    const counts = new ChildrenPerAddress({ limit: 1 });
    for (const name of ['a', 'b', 'c']) register(counts, name, '127.0.0.1');
    register(counts, 'd', undefined);
    register(counts, 'e', undefined);
    expect(counts.crowded('127.0.0.1', isLive)).toBeNull();
    expect(counts.crowded('::ffff:127.0.0.1', isLive)).toBeNull();
    expect(counts.crowded(undefined, isLive)).toBeNull();
    const strict = new ChildrenPerAddress({ limit: 1, limitLoopback: true });
    register(strict, 'a', '127.0.0.1');
    expect(strict.crowded('127.0.0.1', isLive)).toBe(1);
  });
});
