/**
 * The `asked` path a VIDEO_NOT_FOUND error reply carries (the nodes that looked for the video): it
 * round-trips, it is bounded, and a reply with a malformed one is refused like any other bad field.
 */
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeReply, encodeErrorReply } from '../../core/protocol/codec.js';
import { MAX_TOPOLOGY_DEPTH } from '../../core/protocol/limits.js';
import { WireProblem } from '../../core/protocol/problems.js';
import { remoteError } from '../../core/net/remote-error.js';

const packr = new Packr({ useRecords: false });
const errorFrame = (fields: Record<string, unknown>): Buffer =>
  packr.pack({ v: 1, id: 5, type: 'error', code: 'VIDEO_NOT_FOUND', message: 'No video', ...fields });

describe('asked in an error reply', () => {
  it('round-trips, and an empty path is left out', () => {
    const frames = encodeErrorReply(5, 'VIDEO_NOT_FOUND', 'No video "x"', {
      asked: ['ben', 'mit', 'source'],
    });
    expect(decodeReply(frames as Buffer[]).reply).toEqual({
      type: 'error',
      code: 'VIDEO_NOT_FOUND',
      message: 'No video "x"',
      asked: ['ben', 'mit', 'source'],
    });
    const none = decodeReply(encodeErrorReply(5, 'VIDEO_NOT_FOUND', 'x', { asked: [] }) as Buffer[]);
    expect(none.reply).not.toHaveProperty('asked');
  });

  it('the encoder keeps at most the tree depth of names', () => {
    const long = Array.from({ length: MAX_TOPOLOGY_DEPTH + 5 }, (_, i) => `n${i}`);
    const reply = decodeReply(encodeErrorReply(5, 'VIDEO_NOT_FOUND', 'x', { asked: long }) as Buffer[]).reply;
    expect(reply.type === 'error' && reply.asked).toEqual(long.slice(0, MAX_TOPOLOGY_DEPTH));
  });

  it.each<[string, unknown]>([
    ['a string, not a list', 'ben'],
    ['a list too long for any tree', Array.from({ length: MAX_TOPOLOGY_DEPTH + 1 }, () => 'n')],
    ['a name that is not a string', ['ben', 7]],
    ['an empty name', ['ben', '']],
    ['a name with a control character', ['ben\u0007']],
    ['a name over 100 bytes', ['n'.repeat(101)]],
  ])('refuses %s', (_what, asked) => {
    let problem: unknown;
    try {
      decodeReply([errorFrame({ asked })]);
    } catch (error) {
      problem = error;
    }
    expect(problem).toBeInstanceOf(WireProblem);
    expect((problem as WireProblem).reason).toBe('bad-field');
    expect((problem as WireProblem).message).toMatch(/asked/);
  });

  it('a VIDEO_NOT_FOUND with a path keeps the replier’s sentence; without one, says who refused', () => {
    const withPath = remoteError('tcp://127.0.0.1:9', 'get-manifest', {
      type: 'error',
      code: 'VIDEO_NOT_FOUND',
      message: 'No video "x" in this swarm (asked mit -> source).',
      asked: ['mit', 'source'],
    });
    expect(withPath.message).toBe('No video "x" in this swarm (asked mit -> source).');
    expect(withPath.context).toMatchObject({ asked: ['mit', 'source'], remoteCode: 'VIDEO_NOT_FOUND' });
    const older = remoteError('tcp://127.0.0.1:9', 'get-manifest', {
      type: 'error',
      code: 'VIDEO_NOT_FOUND',
      message: 'not here',
    });
    expect(older.message).toBe('tcp://127.0.0.1:9 refused get-manifest with VIDEO_NOT_FOUND: not here');
    expect(older.context).not.toHaveProperty('asked');
  });
});
