/**
 * The manifest digest on the wire: on every inventory entry (register, report, topology), on
 * `query` and on its answer. Optional within version 1 (older nodes send none), and checked like
 * every other field when given: a wrong one is refused naming its path.
 */
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeReply, decodeRequest, encodeRequest } from '../../core/protocol/codec.js';
import { replyMismatch } from '../../core/protocol/match.js';
import type { Request, RequestType } from '../../core/protocol/messages.js';
import { WireProblem } from '../../core/protocol/problems.js';
import { newCurveKeyPair } from '../../core/net/curve-keys.js';
import { digest, replies, requests, wireProblemOf } from './fixtures.js';

const packr = new Packr({ useRecords: false });
const requestFrame = (type: string, fields: Record<string, unknown>): Buffer =>
  packr.pack({ v: 1, id: 7, type, ...fields });
const replyFrame = (type: string, fields: Record<string, unknown>): Buffer =>
  packr.pack({ v: 1, id: 3, type, ...fields });

const problemOf = wireProblemOf;

const entry = (value: unknown) => [{ video: 'v', digest: value, indexes: [1] }];
const WRONG: Array<[string, unknown]> = [
  ['upper-case hex', digest.toUpperCase()],
  ['63 digits', digest.slice(1)],
  ['65 digits', `${digest}0`],
  ['a non-hex letter', `${digest.slice(1)}g`],
  ['a number', 42],
  ['binary', Buffer.from(digest, 'hex')],
  ['a map', { sha256: digest }],
  ['an empty string', ''],
];

describe('digests on the wire', () => {
  it('round-trip on register, report and query, and an entry may go without one', () => {
    for (const type of ['register', 'report', 'query'] as const) {
      const request = { type, ...requests[type] } as Request;
      expect(decodeRequest(encodeRequest(42, request) as Buffer[])).toEqual({ id: 42, ...request });
    }
    const decoded = decodeRequest([requestFrame('register', requests.register)]);
    expect(decoded.type === 'register' && decoded.chunks.map((chunk) => chunk.digest)).toEqual([
      digest,
      undefined,
    ]);
  });

  it('nil is "not given", as for every optional field: the entry or query goes without one', () => {
    const register = decodeRequest([requestFrame('register', { ...requests.register, chunks: entry(null) })]);
    expect(register.type === 'register' && register.chunks).toEqual([{ video: 'v', indexes: [1] }]);
    const query = decodeRequest([requestFrame('query', { ...requests.query, digest: null })]);
    expect(query).not.toHaveProperty('digest');
  });

  const cases: Array<[RequestType, string, Record<string, unknown>, string]> = WRONG.flatMap(
    ([label, value]): Array<[RequestType, string, Record<string, unknown>, string]> => [
      ['register', label, { chunks: entry(value) }, 'chunks[0].digest'],
      ['report', label, { added: entry(value) }, 'added[0].digest'],
      ['report', label, { removed: entry(value) }, 'removed[0].digest'],
      ['query', label, { digest: value }, 'digest'],
    ],
  );
  it.each(cases)('%s with %s is refused naming %s', (type, _label, override, field) => {
    const problem = problemOf(() => decodeRequest([requestFrame(type, { ...requests[type], ...override })]));
    expect(problem.reason).toBe('bad-field');
    expect(problem.code).toBe('BAD_REQUEST');
    expect(problem.id).toBe(7);
    expect(problem.field).toBe(field);
    expect(problem.message).toContain(`field "${field}" must be a manifest digest: 64 lower-case hex digits`);
  });

  it('names the entry a wrong digest is in, after the good ones', () => {
    const chunks = [
      { video: 'a', digest, indexes: [0] },
      { video: 'b', digest: 'D'.repeat(64), indexes: [0] },
    ];
    const problem = problemOf(() =>
      decodeRequest([requestFrame('register', { ...requests.register, chunks })]),
    );
    expect(problem.field).toBe('chunks[1].digest');
  });

  it('the encoder refuses a digest the decoder would', () => {
    expect(() => encodeRequest(1, { type: 'query', ...requests.query, digest: 'abc' })).toThrow(WireProblem);
  });

  it('a query answer names the digest it chose holders for, checked like the rest', () => {
    const ok = decodeReply([replyFrame('query-ok', { ...replies.query })]);
    expect(ok.reply).toMatchObject({ type: 'query-ok', digest });
    const { digest: _digest, ...older } = replies.query;
    expect(decodeReply([replyFrame('query-ok', { ...older })]).reply).not.toHaveProperty('digest');
    for (const [, value] of WRONG) {
      const problem = problemOf(() =>
        decodeReply([replyFrame('query-ok', { ...replies.query, digest: value })]),
      );
      expect(problem.reason).toBe('bad-field');
      expect(problem.field).toBe('digest');
    }
  });

  it('a holder may come with its node key, checked when it does', () => {
    const key = newCurveKeyPair().publicKey;
    const withKey = (value: unknown) => ({
      ...replies.query,
      holders: [[{ name: 'bob', address: 'tcp://bob.local:7002', key: value }]],
    });
    const ok = decodeReply([replyFrame('query-ok', withKey(key))]);
    expect(ok.reply).toMatchObject({ holders: [[{ name: 'bob', key }]] });
    for (const wrong of ['short', 42, `${key.slice(0, 39)}~`]) {
      const problem = problemOf(() => decodeReply([replyFrame('query-ok', withKey(wrong))]));
      expect(problem.reason).toBe('bad-field');
      expect(problem.field).toBe('holders[0][0].key');
      expect(problem.message).toMatch(/node key/);
    }
  });

  it('a topology node may carry digests on its chunks, checked when it does', () => {
    const tree = (chunks: unknown) => ({
      name: 'source',
      address: null,
      role: 'source',
      level: 0,
      children: [{ name: 'alice', address: null, role: 'child', level: 1, chunks, children: [] }],
    });
    const ok = decodeReply([
      replyFrame('topology-ok', { tree: tree([{ video: 'v', digest, indexes: [0] }]) }),
    ]);
    expect(ok.reply).toMatchObject({ tree: { children: [{ chunks: [{ video: 'v', digest }] }] } });
    const problem = problemOf(() =>
      decodeReply([replyFrame('topology-ok', { tree: tree([{ video: 'v', digest: 7, indexes: [0] }]) })]),
    );
    expect(problem.field).toBe('tree.children[0].chunks[0].digest');
  });

  it('an answer for another digest than the one asked does not answer the query', () => {
    const asked = { type: 'query' as const, ...requests.query };
    const other = 'f'.repeat(64);
    expect(replyMismatch(asked, { type: 'query-ok', ...replies.query, digest: other })).toContain(
      `manifest ${digest.slice(0, 8)}`,
    );
    // Asked without one (a cold start), any master's choice answers; an older master names none.
    const { digest: _mine, ...cold } = asked;
    expect(replyMismatch(cold, { type: 'query-ok', ...replies.query, digest: other })).toBeNull();
    const { digest: _theirs, ...older } = replies.query;
    expect(replyMismatch(asked, { type: 'query-ok', ...older })).toBeNull();
  });
});
