import { describe, expect, it } from 'vitest';
import { PeerHealth } from '../../core/net/peer-health.js';

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

  it('smooths round trips as TCP’s SRTT does: 1/8 of the way per sample', () => {
    const health = new PeerHealth();
    expect(health.get('m')).toBeUndefined();
    health.roundTrip('m', 'mit', 0.4);
    expect(health.get('m')).toMatchObject({ name: 'mit', rttMs: 0.4, rttSamples: 1 });
    health.roundTrip('m', 'mit', 0.4);
    expect(health.get('m')!.rttMs).toBeCloseTo(0.4, 10);
    // One slow heartbeat (a stalled master) shows at once without taking over.
    health.roundTrip('m', 'mit', 400.4);
    expect(health.get('m')!.rttMs).toBeCloseTo(50.4, 10);
    for (let i = 0; i < 40; i++) health.roundTrip('m', 'mit', 0.4);
    expect(health.get('m')!.rttMs).toBeLessThan(1);
    expect(health.get('m')!.rttSamples).toBe(43);
  });

  it('ignores samples that are not times, and takes a child’s own figure as reported', () => {
    const health = new PeerHealth();
    health.roundTrip('m', undefined, Number.NaN);
    health.roundTrip('m', undefined, -1);
    expect(health.get('m')).toMatchObject({ rttMs: null, rttSamples: 0 });
    health.reportedRtt('c', 'ben', 0.7);
    health.reportedRtt('c', 'ben', 12.5);
    expect(health.get('c')).toMatchObject({ name: 'ben', rttMs: 12.5, rttSamples: 2 });
  });

  it('takes a request’s time as a sample only when it measures the link', () => {
    const health = new PeerHealth();
    health.started('peer');
    health.succeeded('peer', 3, 100);
    health.started('master');
    health.succeeded('master', null, 100);
    expect(health.get('peer')).toMatchObject({ rttMs: 3, rttSamples: 1, inFlight: 0 });
    expect(health.get('master')).toMatchObject({ rttMs: null, rttSamples: 0, bytesDown: 100 });
  });
});
