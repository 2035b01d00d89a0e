import { describe, expect, it } from 'vitest';
import {
  describePlace,
  describePortMapping,
  describeReachability,
  formatMilliseconds,
} from '../../core/shared/format.js';

describe('a node’s place in words', () => {
  it('uses only source, master and child, and says both sides of a master', () => {
    expect(describePlace({ role: 'source' })).toBe('source');
    expect(describePlace({ role: 'source', childCount: 2 })).toBe('source, master of 2');
    expect(describePlace({ role: 'child', masterName: 'mit', childCount: 0 })).toBe('child of mit');
    expect(describePlace({ role: 'master', masterName: 'source', childCount: 2 })).toBe(
      'child of source, master of 2',
    );
  });

  it('copes with what an older node or a node between masters sends', () => {
    expect(describePlace({ role: 'child', masterName: null })).toBe(
      'child (not registered with a master yet)',
    );
    expect(describePlace({ role: 'master', masterName: 'source' })).toBe('child of source, master');
  });
});

describe('round-trip times', () => {
  it('show tenths of a millisecond on fast links and whole milliseconds above 10 ms', () => {
    expect(formatMilliseconds(0.34)).toBe('0.3 ms');
    expect(formatMilliseconds(9.94)).toBe('9.9 ms');
    expect(formatMilliseconds(9.96)).toBe('10 ms');
    expect(formatMilliseconds(12.6)).toBe('13 ms');
    expect(formatMilliseconds(null)).toBe('—');
    expect(formatMilliseconds(Number.NaN)).toBe('—');
    expect(formatMilliseconds(-1)).toBe('0.0 ms');
  });
});

describe('describeReachability', () => {
  it('says in words whether peers can reach a node, and nothing while no master has checked', () => {
    expect(describeReachability(false)).toBe('not reachable from outside: sharing only through your master');
    expect(describeReachability(true)).toBe('reachable from outside: sharing with peers');
    expect(describeReachability(null)).toBeNull();
    expect(describeReachability(undefined)).toBeNull();
  });
});

describe('describePortMapping', () => {
  it('says where the router opened the port, or why it did not, and nothing when mapping is off', () => {
    expect(
      describePortMapping({
        state: 'mapped',
        protocol: 'NAT-PMP',
        gateway: '10.79.0.1',
        external: '203.0.113.7:40123',
      }),
    ).toBe('port mapped on router 10.79.0.1 (NAT-PMP): 203.0.113.7:40123');
    expect(describePortMapping({ state: 'failed', reason: 'NAT-PMP at 10.79.0.1: it refused: no' })).toBe(
      'router did not open the port: NAT-PMP at 10.79.0.1: it refused: no',
    );
    expect(describePortMapping({ state: 'trying' })).toBe('asking the router to open the port');
    expect(describePortMapping(undefined)).toBeNull();
  });
});
