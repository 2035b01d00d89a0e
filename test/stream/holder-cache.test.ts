/** The master's `query` answers, cached per chunk: expiry on the injected clock, and a bound. */
import { describe, expect, it } from 'vitest';
import { HolderCache } from '../../core/stream/holder-cache.js';

const peer = (address: string) => ({ name: address, address });

describe('HolderCache', () => {
  it('keeps an answer for ttlMs and an empty one for emptyTtlMs, from time 0 of a virtual clock', () => {
    let now = 0;
    const cache = new HolderCache({ ttlMs: 5_000, emptyTtlMs: 300, now: () => now });
    cache.set('v', 0, [[peer('tcp://a:1')], []]);
    now = 300;
    expect(cache.get('v', 0)).toEqual([peer('tcp://a:1')]);
    expect(cache.get('v', 1)).toEqual([]);
    now = 301;
    expect(cache.get('v', 1)).toBeUndefined();
    now = 5_000;
    expect(cache.get('v', 0)).toEqual([peer('tcp://a:1')]);
    now = 5_001;
    expect(cache.get('v', 0)).toBeUndefined();
  });

  it('never hands out an answer given for another manifest than the one this node holds now', () => {
    const cache = new HolderCache({ now: () => 0 });
    const mine = 'd'.repeat(64);
    cache.set('v', 0, [[peer('tcp://a:1')], [peer('tcp://b:1')]], mine);
    cache.set('w', 0, [[peer('tcp://c:1')]]);
    // Before the manifest came, any answer will do; with it, only one for the same content.
    expect(cache.get('v', 0)).toEqual([peer('tcp://a:1')]);
    expect(cache.get('v', 0, mine)).toEqual([peer('tcp://a:1')]);
    expect(cache.get('v', 1, 'e'.repeat(64))).toBeUndefined();
    expect(cache.get('v', 1, mine)).toBeUndefined();
    // An older master's answer names no digest: it is used as before.
    expect(cache.get('w', 0, mine)).toEqual([peer('tcp://c:1')]);
  });

  it('forgets a failed holder everywhere, and only there', () => {
    const cache = new HolderCache({ now: () => 0 });
    cache.set('v', 0, [[peer('tcp://a:1')], [peer('tcp://b:1')], [peer('tcp://b:1'), peer('tcp://a:1')]]);
    cache.forgetAddress('tcp://a:1');
    expect(cache.get('v', 0)).toBeUndefined();
    expect(cache.get('v', 1)).toEqual([peer('tcp://b:1')]);
    expect(cache.get('v', 2)).toBeUndefined();
  });

  it('holds at most maxEntries chunks, dropping the least recently used', () => {
    const cache = new HolderCache({ maxEntries: 3, now: () => 0 });
    cache.set('v', 0, [[peer('tcp://a:1')], [peer('tcp://a:1')], [peer('tcp://a:1')]]);
    cache.get('v', 0);
    cache.set('v', 3, [[peer('tcp://a:1')]]);
    expect(cache.get('v', 1)).toBeUndefined();
    expect(cache.get('v', 0)).toBeDefined();
    expect(cache.get('v', 2)).toBeDefined();
    expect(cache.get('v', 3)).toBeDefined();
  });
});
