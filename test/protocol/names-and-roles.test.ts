/**
 * The wire side of issue 8 part 3: node ids on the messages that name a child, the round-trip time a
 * child reports in its heartbeat, `end-stream`, and one role vocabulary (source, master, child) with
 * the older words still read.
 */
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeReply, decodeRequest } from '../../core/protocol/codec.js';
import { WireProblem } from '../../core/protocol/problems.js';
import { requests } from './fixtures.js';

const packr = new Packr({ useRecords: false });
const request = (type: string, fields: Record<string, unknown>): Buffer =>
  packr.pack({ v: 1, id: 7, type, ...fields });
const reply = (type: string, fields: Record<string, unknown>): Buffer =>
  packr.pack({ v: 1, id: 7, type, ...fields });

function refusal(frame: Buffer): WireProblem {
  try {
    decodeRequest([frame]);
  } catch (error) {
    if (error instanceof WireProblem) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

const ID = '0123456789abcdef0123456789abcdef';

describe('node ids', () => {
  it('are optional on register, report, ping and bye (older nodes send none)', () => {
    for (const type of ['register', 'report', 'ping', 'bye'] as const) {
      const { nodeId: _dropped, ...withoutId } = requests[type] as { nodeId?: string };
      const decoded = decodeRequest([request(type, withoutId)]);
      expect(decoded).not.toHaveProperty('nodeId');
      expect(decodeRequest([request(type, { ...withoutId, nodeId: null })])).not.toHaveProperty('nodeId');
      expect(decodeRequest([request(type, { ...withoutId, nodeId: ID })])).toMatchObject({ nodeId: ID });
    }
  });

  it.each([
    ['an empty string', ''],
    ['a number', 42],
    ['spaces', 'two words'],
    ['a control character', 'id\u0000'],
    ['65 characters', 'a'.repeat(65)],
    ['a path', '../etc'],
    ['an array', [ID]],
  ])('refuses %s, naming the field', (_what, nodeId) => {
    for (const type of ['register', 'report', 'ping', 'bye'] as const) {
      const problem = refusal(request(type, { ...requests[type], nodeId }));
      expect(problem.code).toBe('BAD_REQUEST');
      expect(problem.field).toBe('nodeId');
      expect(problem.message).toMatch(/field "nodeId" must be a node id of 1 to 64 letters/);
    }
  });
});

describe('the round-trip time in a heartbeat', () => {
  it('is a number of milliseconds from 0 to an hour', () => {
    expect(decodeRequest([request('ping', { name: 'a', rttMs: 0.25 })])).toMatchObject({ rttMs: 0.25 });
    expect(decodeRequest([request('ping', { name: 'a', rttMs: 0 })])).toMatchObject({ rttMs: 0 });
    for (const rttMs of [-1, Number.NaN, Number.POSITIVE_INFINITY, '3', 3_600_001]) {
      expect(refusal(request('ping', { name: 'a', rttMs })).field).toBe('rttMs');
    }
  });
});

describe('end-stream', () => {
  it('carries the stream id, bounded like a get’s', () => {
    expect(decodeRequest([request('end-stream', { streamId: 's-1' })])).toEqual({
      id: 7,
      type: 'end-stream',
      streamId: 's-1',
    });
    for (const fields of [{}, { streamId: '' }, { streamId: 's'.repeat(65) }, { streamId: 'a\tb' }]) {
      expect(refusal(request('end-stream', fields)).field).toBe('streamId');
    }
  });
});

describe('roles', () => {
  it('a registering node is a child or a master; the older words read as child', () => {
    const register = (role: unknown) => decodeRequest([request('register', { ...requests.register, role })]);
    expect(register('child')).toMatchObject({ role: 'child' });
    expect(register('master')).toMatchObject({ role: 'master' });
    expect(register('relay')).toMatchObject({ role: 'child' });
    expect(register('viewer')).toMatchObject({ role: 'child' });
  });

  it('a source cannot register: it has no master', () => {
    const problem = refusal(request('register', { ...requests.register, role: 'source' }));
    expect(problem.field).toBe('role');
    expect(problem.message).toMatch(/"master" or "child" \(a source has no master, so it never registers\)/);
    expect(refusal(request('register', { ...requests.register, role: 'king' })).field).toBe('role');
  });

  it('topology uses source, master and child; an older node’s words read by its place', () => {
    const leaf = (name: string, role: string) => ({ name, address: null, role, level: 2, children: [] });
    const frame = reply('topology-ok', {
      tree: {
        name: 'src',
        address: 'tcp://10.0.0.1:7000',
        role: 'source',
        level: 0,
        children: [
          { name: 'old-mid', address: null, role: 'relay', level: 1, children: [leaf('old-leaf', 'viewer')] },
          { name: 'new-mid', address: null, role: 'master', level: 1, children: [leaf('new-leaf', 'child')] },
        ],
      },
    });
    const decoded = decodeReply([frame]).reply;
    expect(decoded.type).toBe('topology-ok');
    if (decoded.type !== 'topology-ok') return;
    const roles = (node: typeof decoded.tree): string[] => [
      `${node.name}:${node.role}`,
      ...node.children.flatMap(roles),
    ];
    expect(roles(decoded.tree)).toEqual([
      'src:source',
      'old-mid:master',
      'old-leaf:child',
      'new-mid:master',
      'new-leaf:child',
    ]);
    const bad = reply('topology-ok', { tree: { ...leaf('x', 'king'), level: 0 } });
    expect(() => decodeReply([bad])).toThrow(/field "tree.role" must be one of source, master, child/);
  });
});

describe('NAME_TAKEN', () => {
  it('travels as an error reply code', () => {
    const decoded = decodeReply([
      reply('error', { code: 'NAME_TAKEN', message: 'the name "ben" is already taken under master "mit"' }),
    ]).reply;
    expect(decoded).toMatchObject({ type: 'error', code: 'NAME_TAKEN' });
  });
});

describe('names that would read as something else', () => {
  it.each([
    ['a C1 control character', 'node\u0085', /control characters/],
    ['a line separator', 'node\u2028fake log line', /line or paragraph separator/],
    ['a right-to-left override', 'good\u202edab', /text direction mark or override/],
    ['a left-to-right isolate', 'good\u2066x', /text direction mark or override/],
  ])('refuses a node name with %s, naming the field', (_what, name, reason) => {
    for (const type of ['register', 'report', 'ping', 'bye'] as const) {
      const problem = refusal(request(type, { ...requests[type], name }));
      expect(problem.code).toBe('BAD_REQUEST');
      expect(problem.field).toBe('name');
      expect(problem.message).toMatch(reason);
    }
  });

  it('refuses a video name with a direction override in a get, naming the field', () => {
    const problem = refusal(request('get', { ...requests.get, video: 'movie\u202evom.exe' }));
    expect(problem.field).toBe('video');
    expect(problem.message).toMatch(/text direction mark or override/);
  });
});

describe('suspects on a report', () => {
  it('are optional, and read as a list of node names', () => {
    expect(decodeRequest([request('report', requests.report)])).not.toHaveProperty('suspects');
    expect(
      decodeRequest([request('report', { ...requests.report, suspects: ['bob', 'carol'] })]),
    ).toMatchObject({
      suspects: ['bob', 'carol'],
    });
  });

  it.each([
    ['not a list', 'bob'],
    ['more than 8 names', Array.from({ length: 9 }, (_, i) => `n${i}`)],
    ['a name that is not a node name', ['bob', 'evil\u202e']],
    ['a number among the names', ['bob', 7]],
  ])('refuses %s, naming the field', (_what, suspects) => {
    const problem = refusal(request('report', { ...requests.report, suspects }));
    expect(problem.code).toBe('BAD_REQUEST');
    expect(problem.field).toMatch(/^suspects/);
  });
});
