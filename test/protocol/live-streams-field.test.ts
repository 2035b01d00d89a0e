/**
 * `liveStreams` on `ping` and `report` replies: where each of a master's live streams stands (its
 * newest chunk, its state), so a child no announcement reaches still follows it. Optional (older
 * masters send none), bounded, and anything else refused naming the field and what it must be.
 */
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeReply, encodeOkReply } from '../../core/protocol/codec.js';
import { MAX_LIVE_VIEWER_STREAMS } from '../../core/protocol/limits.js';

const packr = new Packr({ useRecords: false });
const replyFrame = (type: string, fields: Record<string, unknown>): Buffer =>
  packr.pack({ v: 1, id: 4, type, ...fields });
const streams = (count: number): Record<string, unknown> =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`stream ${i}`, { newest: i, state: 'live' }]));

describe('liveStreams on heartbeat and report replies', () => {
  it('round trips on both, and is optional', () => {
    const liveStreams = {
      'all hands': { newest: 41, state: 'live' },
      'town hall': { newest: 9, state: 'ended' },
    } as const;
    const ping = { name: 'source', time: 1, liveStreams };
    expect(decodeReply(encodeOkReply(1, 'ping', ping) as Buffer[]).reply).toEqual({
      type: 'ping-ok',
      ...ping,
    });
    expect(decodeReply(encodeOkReply(2, 'report', { liveStreams }) as Buffer[]).reply).toEqual({
      type: 'report-ok',
      liveStreams,
    });
    expect(decodeReply([replyFrame('report-ok', {})]).reply).toEqual({ type: 'report-ok' });
  });

  const refused: Array<[string, unknown, RegExp]> = [
    ['a list', [['all hands', 3]], /field "liveStreams".*a map of at most 16 video names/],
    ['too many streams', streams(MAX_LIVE_VIEWER_STREAMS + 1), /field "liveStreams".*a map of at most 16/],
    ['a negative index', { talk: { newest: -1, state: 'live' } }, /liveStreams\.talk\.newest.*a chunk index/],
    [
      'an unknown state',
      { talk: { newest: 3, state: 'paused' } },
      /liveStreams\.talk\.state.*"live", "ended" or "failed"/,
    ],
    ['a bad stream name', { '../etc': { newest: 3, state: 'live' } }, /liveStreams/],
  ];
  it.each(refused)('refuses %s, naming the field', (_what, liveStreams, says) => {
    expect(() => decodeReply([replyFrame('report-ok', { liveStreams })])).toThrow(says);
    expect(() => decodeReply([replyFrame('ping-ok', { name: 'm', time: 1, liveStreams })])).toThrow(says);
  });
});
