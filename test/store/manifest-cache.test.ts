/** The store's parsed-manifest cache: bounded at 64, least recently used dropped first, frozen. */
import { describe, expect, it } from 'vitest';
import { ManifestCache } from '../../core/store/manifest-cache.js';
import { makeVideo } from './helpers.js';

function counting(): { cache: ManifestCache; loads: string[] } {
  const loads: string[] = [];
  const cache = new ManifestCache((name) => {
    loads.push(name);
    return name.startsWith('v') ? JSON.stringify({ ...makeVideo('a', 1).manifest, name }) : undefined;
  });
  return { cache, loads };
}

describe('ManifestCache', () => {
  it('parses once, hands out the same frozen object, and does not cache what is not there', () => {
    const { cache, loads } = counting();
    const first = cache.get('v1')!;
    expect(cache.get('v1')).toBe(first);
    expect(Object.isFrozen(first.chunks[0])).toBe(true);
    expect(cache.get('missing')).toBeUndefined();
    expect(cache.get('missing')).toBeUndefined();
    expect(loads).toEqual(['v1', 'missing', 'missing']);
  });

  it('keeps 64 manifests, dropping the least recently used; a read counts as a use', () => {
    const { cache, loads } = counting();
    for (let i = 0; i < 64; i++) cache.get(`v${i}`);
    cache.get('v0'); // now the most recently used: v1 is the oldest
    cache.get('v64'); // one over: v1 goes
    loads.length = 0;
    cache.get('v0');
    cache.get('v2');
    expect(loads).toEqual([]);
    cache.get('v1');
    expect(loads).toEqual(['v1']);
  });

  it('forget makes the next read load again', () => {
    const { cache, loads } = counting();
    const before = cache.get('v1');
    cache.forget('v1');
    expect(cache.get('v1')).not.toBe(before);
    expect(loads).toEqual(['v1', 'v1']);
  });
});
