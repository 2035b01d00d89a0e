import { describe, expect, it } from 'vitest';
import { PeerHealth } from '../../core/node/peer-health.js';

describe('PeerHealth', () => {
  it('ranks recently failed peers last and avoids repeat offenders', () => {
    let now = 1_000;
    const health = new PeerHealth({ now: () => now, recentFailureMs: 5_000, avoidAfterFailures: 2 });
    const a = { address: 'a' };
    const b = { address: 'b' };
    const c = { address: 'c' };
    health.started('a');
    health.failed('a');
    health.started('b');
    health.failed('b');
    health.started('b');
    health.failed('b');
    expect(health.avoided('b')).toBe(true);
    expect(health.rank([b, a, c]).map((p) => p.address)).toEqual(['c', 'a', 'b']);
    now += 6_000;
    expect(health.recentlyFailed('a')).toBe(false);
    expect(health.avoided('b')).toBe(false);
    expect(health.get('b')!.failures).toBe(2);
  });

  it('prefers peers with spare capacity, then lower RTT', () => {
    const health = new PeerHealth();
    health.started('busy');
    health.started('slow');
    health.succeeded('slow', 50, 10);
    health.started('fast');
    health.succeeded('fast', 2, 10);
    const ranked = health.rank([{ address: 'busy' }, { address: 'slow' }, { address: 'fast' }]);
    expect(ranked.map((p) => p.address)).toEqual(['fast', 'slow', 'busy']);
    expect(health.get('fast')!.bytesDown).toBe(10);
  });
});
