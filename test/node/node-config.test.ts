import { describe, expect, it } from 'vitest';
import { nodeConfigFromFlags } from '../../core/node/node-config.js';

const base = { name: 'n', port: '7000', store: '/tmp/store' };

describe('--peer-timeout', () => {
  it('is the fetcher’s wait for one peer, in milliseconds, and absent by default', () => {
    expect(nodeConfigFromFlags(base).peerTimeoutMs).toBeUndefined();
    expect(nodeConfigFromFlags({ ...base, 'peer-timeout': '5s' }).peerTimeoutMs).toBe(5_000);
    expect(nodeConfigFromFlags({ ...base, 'peer-timeout': '250ms' }).peerTimeoutMs).toBe(250);
    expect(nodeConfigFromFlags({ ...base, 'peer-timeout': '2m' }).peerTimeoutMs).toBe(120_000);
  });

  it.each(['soon', '0', '50ms', '3m'])('refuses %s, naming the flag', (value) => {
    expect(() => nodeConfigFromFlags({ ...base, 'peer-timeout': value })).toThrow(/--peer-timeout/);
  });
});

describe('--child-timeout', () => {
  it('is how long a master keeps a silent child, in milliseconds, and absent by default', () => {
    expect(nodeConfigFromFlags(base).childTimeoutMs).toBeUndefined();
    expect(nodeConfigFromFlags({ ...base, 'child-timeout': '10s' }).childTimeoutMs).toBe(10_000);
    expect(nodeConfigFromFlags({ ...base, 'child-timeout': '1500ms' }).childTimeoutMs).toBe(1_500);
  });

  it.each(['later', '0'])('refuses %s, naming the flag', (value) => {
    expect(() => nodeConfigFromFlags({ ...base, 'child-timeout': value })).toThrow(/--child-timeout/);
  });

  it.each(['500ms', '6m'])('refuses %s, naming the flag and the range', (value) => {
    expect(() => nodeConfigFromFlags({ ...base, 'child-timeout': value })).toThrow(
      /--child-timeout.*from 1s to 5m/,
    );
  });
});
