import { describe, expect, it } from 'vitest';
import { ChunkDirectory } from '../../core/node/chunk-directory.js';

const alice = { name: 'alice', address: 'tcp://127.0.0.1:9001' };
const bob = { name: 'bob', address: 'tcp://127.0.0.1:9002' };

describe('ChunkDirectory', () => {
  it('lists holders of a chunk, never the requester', () => {
    const directory = new ChunkDirectory();
    directory.register(alice, [{ video: 'movie', indexes: [0, 1, 2] }]);
    directory.register(bob, [{ video: 'movie', indexes: [1] }]);
    expect(
      directory
        .holders('movie', 1)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['alice', 'bob']);
    expect(directory.holders('movie', 1, 'alice').map((c) => c.name)).toEqual(['bob']);
    expect(directory.holders('movie', 5)).toEqual([]);
    expect(directory.holders('other', 0)).toEqual([]);
  });

  it('applies batched reports of added and removed chunks', () => {
    const directory = new ChunkDirectory();
    directory.register(alice, []);
    directory.report('alice', [{ video: 'movie', indexes: [3, 4] }], []);
    expect(directory.holders('movie', 4).map((c) => c.name)).toEqual(['alice']);
    directory.report('alice', [], [{ video: 'movie', indexes: [4] }]);
    expect(directory.holders('movie', 4)).toEqual([]);
    expect(directory.inventoryOf('alice')).toEqual({ movie: [3] });
  });

  it('ignores reports from children that have not registered', () => {
    const directory = new ChunkDirectory();
    expect(directory.report('mallory', [{ video: 'movie', indexes: [0] }], [])).toBe(false);
    expect(directory.holders('movie', 0)).toEqual([]);
  });

  it('replaces a flapping child’s old entries when it registers again', () => {
    const directory = new ChunkDirectory();
    directory.register(alice, [{ video: 'movie', indexes: [0, 1] }]);
    directory.register({ ...alice, address: 'tcp://127.0.0.1:9999' }, [{ video: 'movie', indexes: [7] }]);
    expect(directory.holders('movie', 0)).toEqual([]);
    expect(directory.holders('movie', 7)).toEqual([{ name: 'alice', address: 'tcp://127.0.0.1:9999' }]);
  });

  it('drops everything a dead child held', () => {
    const directory = new ChunkDirectory();
    directory.register(alice, [{ video: 'movie', indexes: [0, 1] }]);
    directory.register(bob, [{ video: 'movie', indexes: [1] }]);
    expect(directory.remove('alice')).toBe(true);
    expect(directory.holders('movie', 0)).toEqual([]);
    expect(directory.holders('movie', 1).map((c) => c.name)).toEqual(['bob']);
    expect(directory.childNames()).toEqual(['bob']);
    expect(directory.remove('alice')).toBe(false);
  });
});

describe('ChunkDirectory bounds', () => {
  const limits = { maxEntriesPerChild: 5, maxEntries: 8 };

  it('keeps at most a child share, counts what it refused, and frees the share on removal', () => {
    const directory = new ChunkDirectory(limits);
    directory.register(alice, [{ video: 'movie', indexes: [0, 1, 2, 3, 4, 5, 6] }]);
    expect(directory.inventoryOf('alice')).toEqual({ movie: [0, 1, 2, 3, 4] });
    expect(directory.refused).toEqual({ perChild: 2, total: 0 });
    // Listing again what it already holds costs nothing and is not refused.
    directory.report('alice', [{ video: 'movie', indexes: [0, 1] }], []);
    expect(directory.refused.perChild).toBe(2);
    directory.report('alice', [], [{ video: 'movie', indexes: [0] }]);
    directory.report('alice', [{ video: 'movie', indexes: [9] }], []);
    expect(directory.inventoryOf('alice')).toEqual({ movie: [1, 2, 3, 4, 9] });
    expect(directory.size).toBe(5);
  });

  it('keeps at most the total across children, and leaves nothing behind for a list refused whole', () => {
    const directory = new ChunkDirectory(limits);
    directory.register(alice, [{ video: 'movie', indexes: [0, 1, 2, 3, 4] }]);
    directory.register(bob, [
      { video: 'movie', indexes: [0, 1, 2, 3] },
      { video: 'other', indexes: [0] },
    ]);
    expect(directory.size).toBe(8);
    expect(directory.refused).toEqual({ perChild: 0, total: 2 });
    expect(directory.inventoryOf('bob')).toEqual({ movie: [0, 1, 2] });
    expect(directory.holders('other', 0)).toEqual([]);
    directory.remove('alice');
    expect(directory.size).toBe(3);
    directory.report('bob', [{ video: 'other', indexes: [0] }], []);
    expect(directory.holders('other', 0).map((child) => child.name)).toEqual(['bob']);
  });
});

describe('ChunkDirectory forgetting in steps', () => {
  it('drops a forgotten child from lookups at once and its entries a budget at a time', () => {
    const directory = new ChunkDirectory();
    directory.register(alice, [{ video: 'movie', indexes: [0, 1, 2, 3, 4] }]);
    directory.register(bob, [{ video: 'movie', indexes: [0] }]);
    expect(directory.forget('alice')).toBe(true);
    expect(directory.holders('movie', 0).map((child) => child.name)).toEqual(['bob']);
    expect(directory.holders('movie', 3)).toEqual([]);
    expect(directory.report('alice', [{ video: 'movie', indexes: [9] }], [])).toBe(false);
    expect(directory.size).toBe(6);
    expect(directory.collect(2)).toBe(true);
    expect(directory.size).toBe(4);
    expect(directory.collect(10)).toBe(false);
    expect(directory.size).toBe(1);
    expect(directory.collecting).toBe(false);
  });

  it('a child registering again while its old entries wait is registered afresh', () => {
    const directory = new ChunkDirectory();
    directory.register(alice, [{ video: 'movie', indexes: [0, 1, 2] }]);
    directory.forget('alice');
    directory.register(alice, [{ video: 'movie', indexes: [7] }]);
    expect(directory.collecting).toBe(false);
    expect(directory.inventoryOf('alice')).toEqual({ movie: [7] });
    expect(directory.size).toBe(1);
  });
});
