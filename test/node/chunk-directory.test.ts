import { describe, expect, it } from 'vitest';
import { ChunkDirectory } from '../../core/node/chunk-directory.js';
import { MOVIE_DIGEST, OTHER_DIGEST } from '../helpers/digests.js';

const alice = { name: 'alice', address: 'tcp://127.0.0.1:9001' };
const bob = { name: 'bob', address: 'tcp://127.0.0.1:9002' };

describe('ChunkDirectory', () => {
  it('lists holders of a chunk, never the requester', () => {
    const directory = new ChunkDirectory();
    directory.register(alice, [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [0, 1, 2] }]);
    directory.register(bob, [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [1] }]);
    expect(
      directory
        .holders('movie', MOVIE_DIGEST, 1)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['alice', 'bob']);
    expect(directory.holders('movie', MOVIE_DIGEST, 1, 'alice').map((c) => c.name)).toEqual(['bob']);
    expect(directory.holders('movie', MOVIE_DIGEST, 5)).toEqual([]);
    expect(directory.holders('other', MOVIE_DIGEST, 0)).toEqual([]);
  });

  it('applies batched reports of added and removed chunks', () => {
    const directory = new ChunkDirectory();
    directory.register(alice, []);
    directory.report('alice', [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [3, 4] }], []);
    expect(directory.holders('movie', MOVIE_DIGEST, 4).map((c) => c.name)).toEqual(['alice']);
    directory.report('alice', [], [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [4] }]);
    expect(directory.holders('movie', MOVIE_DIGEST, 4)).toEqual([]);
    expect(directory.inventoryOf('alice')).toEqual({ movie: [3] });
  });

  it('ignores reports from children that have not registered', () => {
    const directory = new ChunkDirectory();
    expect(directory.report('mallory', [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [0] }], [])).toBe(
      false,
    );
    expect(directory.holders('movie', MOVIE_DIGEST, 0)).toEqual([]);
  });

  it('replaces a flapping child’s old entries when it registers again', () => {
    const directory = new ChunkDirectory();
    directory.register(alice, [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [0, 1] }]);
    directory.register({ ...alice, address: 'tcp://127.0.0.1:9999' }, [
      { video: 'movie', digest: MOVIE_DIGEST, indexes: [7] },
    ]);
    expect(directory.holders('movie', MOVIE_DIGEST, 0)).toEqual([]);
    expect(directory.holders('movie', MOVIE_DIGEST, 7)).toEqual([
      { name: 'alice', address: 'tcp://127.0.0.1:9999' },
    ]);
  });

  it('drops everything a dead child held', () => {
    const directory = new ChunkDirectory();
    directory.register(alice, [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [0, 1] }]);
    directory.register(bob, [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [1] }]);
    expect(directory.remove('alice')).toBe(true);
    expect(directory.holders('movie', MOVIE_DIGEST, 0)).toEqual([]);
    expect(directory.holders('movie', MOVIE_DIGEST, 1).map((c) => c.name)).toEqual(['bob']);
    expect(directory.childNames()).toEqual(['bob']);
    expect(directory.remove('alice')).toBe(false);
  });
});

describe('ChunkDirectory bounds', () => {
  const limits = { maxEntriesPerChild: 5, maxEntries: 8 };

  it('keeps at most a child share, counts what it refused, and frees the share on removal', () => {
    const directory = new ChunkDirectory(limits);
    directory.register(alice, [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [0, 1, 2, 3, 4, 5, 6] }]);
    expect(directory.inventoryOf('alice')).toEqual({ movie: [0, 1, 2, 3, 4] });
    expect(directory.refused).toEqual({ perChild: 2, total: 0 });
    // Listing again what it already holds costs nothing and is not refused.
    directory.report('alice', [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [0, 1] }], []);
    expect(directory.refused.perChild).toBe(2);
    directory.report('alice', [], [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [0] }]);
    directory.report('alice', [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [9] }], []);
    expect(directory.inventoryOf('alice')).toEqual({ movie: [1, 2, 3, 4, 9] });
    expect(directory.size).toBe(5);
  });

  it('keeps at most the total across children, and leaves nothing behind for a list refused whole', () => {
    const directory = new ChunkDirectory(limits);
    directory.register(alice, [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [0, 1, 2, 3, 4] }]);
    directory.register(bob, [
      { video: 'movie', digest: MOVIE_DIGEST, indexes: [0, 1, 2, 3] },
      { video: 'other', digest: MOVIE_DIGEST, indexes: [0] },
    ]);
    expect(directory.size).toBe(8);
    expect(directory.refused).toEqual({ perChild: 0, total: 2 });
    expect(directory.inventoryOf('bob')).toEqual({ movie: [0, 1, 2] });
    expect(directory.holders('other', MOVIE_DIGEST, 0)).toEqual([]);
    directory.remove('alice');
    expect(directory.size).toBe(3);
    directory.report('bob', [{ video: 'other', digest: MOVIE_DIGEST, indexes: [0] }], []);
    expect(directory.holders('other', MOVIE_DIGEST, 0).map((child) => child.name)).toEqual(['bob']);
  });
});

describe('ChunkDirectory forgetting in steps', () => {
  it('drops a forgotten child from lookups at once and its entries a budget at a time', () => {
    const directory = new ChunkDirectory();
    directory.register(alice, [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [0, 1, 2, 3, 4] }]);
    directory.register(bob, [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [0] }]);
    expect(directory.forget('alice')).toBe(true);
    expect(directory.holders('movie', MOVIE_DIGEST, 0).map((child) => child.name)).toEqual(['bob']);
    expect(directory.holders('movie', MOVIE_DIGEST, 3)).toEqual([]);
    expect(directory.report('alice', [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [9] }], [])).toBe(
      false,
    );
    expect(directory.size).toBe(6);
    expect(directory.collect(2)).toBe(true);
    expect(directory.size).toBe(4);
    expect(directory.collect(10)).toBe(false);
    expect(directory.size).toBe(1);
    expect(directory.collecting).toBe(false);
  });

  it('a child registering again while its old entries wait is registered afresh', () => {
    const directory = new ChunkDirectory();
    directory.register(alice, [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [0, 1, 2] }]);
    directory.forget('alice');
    directory.register(alice, [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [7] }]);
    expect(directory.collecting).toBe(false);
    expect(directory.inventoryOf('alice')).toEqual({ movie: [7] });
    expect(directory.size).toBe(1);
  });
});

describe('ChunkDirectory and the content under a name', () => {
  it('never names a holder of other content under the same name, whoever asks', () => {
    const directory = new ChunkDirectory();
    directory.register(alice, [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [0, 1] }]);
    directory.register(bob, [{ video: 'movie', digest: OTHER_DIGEST, indexes: [0, 1] }]);
    expect(directory.holders('movie', MOVIE_DIGEST, 0).map((c) => c.name)).toEqual(['alice']);
    expect(directory.holders('movie', OTHER_DIGEST, 0).map((c) => c.name)).toEqual(['bob']);
    expect(directory.holders('movie', 'f'.repeat(64), 0)).toEqual([]);
    // Not an error: both are kept, and both count.
    expect(directory.inventoryOf('bob')).toEqual({ movie: [0, 1] });
    expect(directory.size).toBe(4);
  });

  it('keeps and counts entries without a digest, and never names them', () => {
    const directory = new ChunkDirectory({ maxEntriesPerChild: 3, maxEntries: 10 });
    directory.register(alice, [{ video: 'movie', indexes: [0, 1, 2, 3] }]);
    expect(directory.inventoryOf('alice')).toEqual({ movie: [0, 1, 2] });
    expect(directory.refused.perChild).toBe(1);
    expect(directory.holders('movie', MOVIE_DIGEST, 0)).toEqual([]);
    directory.report('alice', [], [{ video: 'movie', indexes: [2] }]);
    expect(directory.size).toBe(2);
  });

  it("a child's copy that changed: entries under its new digest replace the old ones", () => {
    const directory = new ChunkDirectory();
    directory.register(alice, [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [0, 1, 2] }]);
    directory.report('alice', [{ video: 'movie', digest: OTHER_DIGEST, indexes: [5] }], []);
    expect(directory.holders('movie', MOVIE_DIGEST, 0)).toEqual([]);
    expect(directory.holders('movie', OTHER_DIGEST, 5).map((c) => c.name)).toEqual(['alice']);
    expect(directory.inventoryOf('alice')).toEqual({ movie: [5] });
    expect(directory.size).toBe(1);
    // A removal under another digest: nothing of the copy kept here is held any more.
    directory.report('alice', [], [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [9] }]);
    expect(directory.holders('movie', OTHER_DIGEST, 5)).toEqual([]);
    expect(directory.inventoryOf('alice')).toEqual({});
    expect(directory.size).toBe(0);
  });

  it('keeps its bounds across copies: a replaced copy frees its share', () => {
    const directory = new ChunkDirectory({ maxEntriesPerChild: 3, maxEntries: 4 });
    directory.register(alice, [{ video: 'movie', digest: MOVIE_DIGEST, indexes: [0, 1, 2, 3] }]);
    directory.register(bob, [{ video: 'movie', digest: OTHER_DIGEST, indexes: [0, 1] }]);
    expect(directory.size).toBe(4);
    expect(directory.refused).toEqual({ perChild: 1, total: 1 });
    directory.report('alice', [{ video: 'movie', digest: OTHER_DIGEST, indexes: [7, 8, 9, 10] }], []);
    expect(directory.inventoryOf('alice')).toEqual({ movie: [7, 8, 9] });
    expect(directory.size).toBe(4);
    expect(directory.refused).toEqual({ perChild: 2, total: 1 });
    expect(directory.holders('movie', OTHER_DIGEST, 9).map((c) => c.name)).toEqual(['alice']);
  });

  it('offers the master only a chunk held under its own manifest to judge a child by', () => {
    const directory = new ChunkDirectory();
    directory.register(alice, [
      { video: 'movie', digest: OTHER_DIGEST, indexes: [3] },
      { video: 'other', digest: MOVIE_DIGEST, indexes: [-1, 4] },
    ]);
    const mine = (video: string) => (video === 'other' ? MOVIE_DIGEST : 'f'.repeat(64));
    expect(directory.aChunkOf('alice', mine)).toEqual({ video: 'other', digest: MOVIE_DIGEST, index: 4 });
    expect(directory.aChunkOf('alice', () => undefined)).toBeUndefined();
  });
});
