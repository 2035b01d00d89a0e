/**
 * The viewer count's wire fields (issue 12 §3): `liveViewers` on `ping` and `report` (a subtree's
 * viewers per live stream) and `viewers` on `announce-live` (the source's total). Both optional, so
 * older nodes interoperate; bounded, and anything else refused naming the field and what it must be.
 */
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeRequest, encodeRequest } from '../../core/protocol/codec.js';
import { MAX_LIVE_VIEWERS, MAX_LIVE_VIEWER_STREAMS, MAX_REQUEST_BYTES } from '../../core/protocol/limits.js';
import { liveManifest, requests, wireProblemOf } from './fixtures.js';

const packr = new Packr({ useRecords: false });
const frame = (type: string, fields: Record<string, unknown>): Buffer =>
  packr.pack({ v: 1, id: 7, type, ...fields });

const streams = (count: number, viewers = 1): Record<string, number> =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`stream ${i}`.padEnd(200, 'x'), viewers]));

describe('liveViewers on ping and report', () => {
  it('round trips, and is optional (an older node sends none)', () => {
    const ping = { type: 'ping', name: 'alice', liveViewers: { 'all hands': 2, 'town hall': 0 } } as const;
    expect(decodeRequest(encodeRequest(1, ping))).toEqual({ id: 1, ...ping });
    expect(decodeRequest([frame('ping', { name: 'alice' })])).toEqual({ id: 7, type: 'ping', name: 'alice' });
    expect(decodeRequest([frame('ping', { name: 'alice', liveViewers: null })])).toEqual({
      id: 7,
      type: 'ping',
      name: 'alice',
    });
  });

  it(`takes up to ${MAX_LIVE_VIEWER_STREAMS} streams at ${MAX_LIVE_VIEWERS} viewers each, within one request`, () => {
    const report = {
      ...requests.report,
      type: 'report',
      liveViewers: streams(MAX_LIVE_VIEWER_STREAMS, MAX_LIVE_VIEWERS),
    };
    const frames = encodeRequest(2, report as never);
    expect(frames[0]!.byteLength).toBeLessThan(MAX_REQUEST_BYTES);
    expect(decodeRequest(frames)).toMatchObject({ liveViewers: report.liveViewers });
  });

  const refused: Array<[string, string, unknown, string, string]> = [
    ['ping', 'a list', [['all hands', 2]], 'liveViewers', 'a map of at most 16 video names'],
    ['ping', 'a count', 3, 'liveViewers', 'a map of at most 16 video names'],
    [
      'report',
      'too many streams',
      streams(MAX_LIVE_VIEWER_STREAMS + 1),
      'liveViewers',
      'a map of at most 16',
    ],
    [
      'ping',
      'a negative count',
      { 'all hands': -1 },
      'liveViewers.all hands',
      `an integer from 0 to ${MAX_LIVE_VIEWERS}`,
    ],
    ['ping', 'a fraction', { 'all hands': 1.5 }, 'liveViewers.all hands', 'an integer from 0'],
    [
      'report',
      'an absurd count',
      { 'all hands': MAX_LIVE_VIEWERS + 1 },
      'liveViewers.all hands',
      'an integer from 0',
    ],
    ['ping', 'a count as text', { 'all hands': '2' }, 'liveViewers.all hands', 'an integer from 0'],
    ['report', 'a bad video name', { '../etc': 1 }, 'liveViewers.../etc', 'a valid video name'],
  ];
  it.each(refused)(
    '%s with %s is refused, naming the field and what it must be',
    (type, _what, value, field, words) => {
      const problem = wireProblemOf(() =>
        decodeRequest([frame(type, { ...requests[type as 'ping'], liveViewers: value })]),
      );
      expect(problem.reason).toBe('bad-field');
      expect(problem.code).toBe('BAD_REQUEST');
      expect(problem.field).toBe(field);
      expect(problem.message).toContain(`field "${field}" must be ${words}`);
    },
  );
});

describe('viewers on announce-live', () => {
  it('round trips beside the manifest, which stays as signed, and is optional', () => {
    const announce = { type: 'announce-live', name: 'master-1', manifest: liveManifest, viewers: 3 } as const;
    expect(decodeRequest(encodeRequest(3, announce))).toEqual({ id: 3, ...announce });
    expect(decodeRequest([frame('announce-live', { name: 'master-1', manifest: liveManifest })])).toEqual({
      id: 7,
      type: 'announce-live',
      name: 'master-1',
      manifest: liveManifest,
    });
  });

  it.each([-1, 2.5, MAX_LIVE_VIEWERS + 1, 'many', [3]])(
    'viewers %j is refused, naming the field',
    (viewers) => {
      const problem = wireProblemOf(() =>
        decodeRequest([frame('announce-live', { name: 'master-1', manifest: liveManifest, viewers })]),
      );
      expect(problem.field).toBe('viewers');
      expect(problem.message).toContain(`field "viewers" must be an integer from 0 to ${MAX_LIVE_VIEWERS}`);
    },
  );
});
