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
