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

  it('bans an offender at once, for twice as long at each repeat, up to a cap (smart-ban)', () => {
    let now = 0;
    const health = new PeerHealth({ now: () => now, banMs: 1_000, maxBanMs: 3_000 });
    health.offended('liar');
    expect(health.avoided('liar')).toBe(true);
    now = 999;
    expect(health.avoided('liar')).toBe(true);
    now = 1_000;
    expect(health.avoided('liar')).toBe(false);
    health.offended('liar');
    now += 1_999;
    expect(health.avoided('liar')).toBe(true);
    now += 1;
    expect(health.avoided('liar')).toBe(false);
    // A third offence would be 4 s: capped at 3 s.
    health.offended('liar');
    now += 3_000;
    expect(health.avoided('liar')).toBe(false);
    expect(health.get('liar')!.offences).toBe(3);
    // A good answer in between does not wipe the record: the next ban is still the longest.
    health.started('liar');
    health.succeeded('liar', 5, 10);
    health.offended('liar');
    now += 2_999;
    expect(health.avoided('liar')).toBe(true);
  });

  it('avoids a peer overtaken by the master until it answers, then ranks it behind the others', () => {
    const health = new PeerHealth({ now: () => 0, random: { next: () => 0.5 } });
    health.started('slow');
    health.overtaken('slow');
    expect(health.get('slow')).toMatchObject({ inFlight: 1, failures: 1, offences: 0, owesAnswer: true });
    expect(health.avoided('slow')).toBe(true);
    // Its late answer still counts as an answer: no longer avoided, and not banned, only behind.
    health.succeeded('slow', 900, 10);
    expect(health.get('slow')).toMatchObject({ inFlight: 0, consecutiveFailures: 0, rttMs: 900 });
    expect(health.avoided('slow')).toBe(false);
    expect(health.rank([{ address: 'slow' }, { address: 'fresh' }]).map((p) => p.address)).toEqual([
      'fresh',
      'slow',
    ]);
  });
});
