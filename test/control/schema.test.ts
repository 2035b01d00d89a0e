/** Every control message, both ways: what validates, and what each malformed line is answered with. */
import { describe, expect, it } from 'vitest';
import {
  encodeError,
  encodeEvent,
  encodeRequest,
  encodeResult,
  parseNodeLine,
  parseRequestEnvelope,
  parseRequestLine,
  readRequest,
} from '../../core/control/schema.js';
import { ControlProblem } from '../../core/control/errors.js';
import type { ControlRequest } from '../../core/control/messages.js';
import type { VideoSummary } from '../../core/store/types.js';
import { manifest } from '../protocol/fixtures.js';

const requests: ControlRequest[] = [
  { type: 'add', file: '/videos/holiday.mp4', replace: false },
  { type: 'add', file: '/videos/holiday.mp4', name: 'summer 2024', chunkDuration: 1.5, replace: true },
  { type: 'add', file: '/videos/holiday.mp4', chunkSize: 1024 * 1024, replace: false },
  { type: 'ls' },
  { type: 'verify' },
  { type: 'export', name: 'big buck bunny', fromChunk: 3 },
  { type: 'live-start', name: 'lecture', input: 'testsrc', loop: false, window: 0 },
  {
    type: 'live-start',
    name: 'talk',
    input: 'file:/srv/talk.mp4',
    loop: true,
    window: 300,
    stallSeconds: 2.5,
    reconnectSeconds: 0,
    chunkDuration: 0.5,
  },
  {
    type: 'live-start',
    name: 'obs',
    input: 'rtmp://0.0.0.0:1935/live',
    loop: false,
    window: 0,
    reconnectSeconds: 120,
  },
  { type: 'live-stop', name: 'lecture' },
  { type: 'live-stop', name: 'lecture', keep: 'lecture recording' },
  { type: 'live-list' },
];

const line = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

function problemOf(run: () => unknown): ControlProblem {
  try {
    run();
  } catch (error) {
    if (error instanceof ControlProblem) return error;
    throw error;
  }
  throw new Error('expected a ControlProblem');
}

describe('requests', () => {
  it.each(requests)('$type round-trips through its line', (request) => {
    const text = encodeRequest(request);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.slice(0, -1)).not.toContain('\n');
    expect(parseRequestLine(Buffer.from(text.slice(0, -1)))).toEqual(request);
  });

  it.each(requests)('$type carries a token beside its fields, never inside them', (request) => {
    const token = 'a'.repeat(64);
    const text = encodeRequest(request, token);
    expect(JSON.parse(text)).toEqual({ v: 1, ...request, token });
    const envelope = parseRequestEnvelope(Buffer.from(text));
    expect(envelope.token).toBe(token);
    expect(readRequest(envelope)).toEqual(request);
    expect(parseRequestLine(Buffer.from(text))).toEqual(request);
  });

  it('the envelope hands on whatever the token field held; absent and null are no token', () => {
    expect(parseRequestEnvelope(line({ v: 1, type: 'ls' })).token).toBeUndefined();
    expect(parseRequestEnvelope(line({ v: 1, type: 'ls', token: null })).token).toBeUndefined();
    expect(parseRequestEnvelope(line({ v: 1, type: 'ls', token: 42 })).token).toBe(42);
    expect(parseRequestEnvelope(line({ v: 1, type: 'ls', token: ['x'] })).token).toEqual(['x']);
    // The command is not read yet: an unknown one fails only when readRequest looks at it.
    const unknown = parseRequestEnvelope(line({ v: 1, type: 'rm', token: 'x' }));
    expect(problemOf(() => readRequest(unknown)).code).toBe('UNKNOWN_COMMAND');
  });

  it('drops fields it does not know (a newer client may add optional ones)', () => {
    expect(parseRequestLine(line({ v: 1, type: 'ls', colour: 'blue' }))).toEqual({ type: 'ls' });
  });

  const bad: Array<[string, Buffer, string, RegExp]> = [
    ['garbage', Buffer.from('hello there'), 'BAD_REQUEST', /not JSON/],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'BAD_REQUEST', /not UTF-8/],
    ['an array', line([1, 2]), 'BAD_REQUEST', /must be a JSON object.*an array of 2/],
    ['null', line(null), 'BAD_REQUEST', /must be a JSON object/],
    ['no version', line({ type: 'ls' }), 'UNSUPPORTED_VERSION', /version undefined.*speaks version 1/],
    ['version 2', line({ v: 2, type: 'ls' }), 'UNSUPPORTED_VERSION', /version 2 is not supported/],
    ['version "1"', line({ v: '1', type: 'ls' }), 'UNSUPPORTED_VERSION', /version "1"/],
    [
      'unknown command',
      line({ v: 1, type: 'rm' }),
      'UNKNOWN_COMMAND',
      /"rm" is not known.*add, ls, verify, export/,
    ],
    ['no command', line({ v: 1 }), 'UNKNOWN_COMMAND', /undefined is not known/],
    ['a prototype key as command', line({ v: 1, type: 'constructor' }), 'UNKNOWN_COMMAND', /constructor/],
    [
      'add without file',
      line({ v: 1, type: 'add', replace: false }),
      'BAD_REQUEST',
      /field "file" must be an absolute file path/,
    ],
    [
      'add with a relative file',
      line({ v: 1, type: 'add', file: 'clip.mp4', replace: false }),
      'BAD_REQUEST',
      /"file".*got "clip.mp4"/,
    ],
    [
      'add with a NUL in the path',
      line({ v: 1, type: 'add', file: '/a\u0000b', replace: false }),
      'BAD_REQUEST',
      /"file"/,
    ],
    [
      'add with a 5000-byte path',
      line({ v: 1, type: 'add', file: `/${'a'.repeat(5000)}`, replace: false }),
      'BAD_REQUEST',
      /at most 4096 bytes.*5001-character/,
    ],
    [
      'add without replace',
      line({ v: 1, type: 'add', file: '/a.mp4' }),
      'BAD_REQUEST',
      /field "replace" must be true or false/,
    ],
    [
      'add with a bad name',
      line({ v: 1, type: 'add', file: '/a.mp4', name: '../etc', replace: false }),
      'BAD_REQUEST',
      /field "name" must be a valid video name/,
    ],
    [
      'add with chunkDuration 0',
      line({ v: 1, type: 'add', file: '/a.mp4', chunkDuration: 0, replace: false }),
      'BAD_REQUEST',
      /"chunkDuration" must be a number from 0.5 to 60/,
    ],
    [
      'add with chunkSize 1',
      line({ v: 1, type: 'add', file: '/a.mp4', chunkSize: 1, replace: false }),
      'BAD_REQUEST',
      /"chunkSize"/,
    ],
    [
      'add with both chunkings',
      line({ v: 1, type: 'add', file: '/a.mp4', chunkSize: 1048576, chunkDuration: 2, replace: false }),
      'BAD_REQUEST',
      /absent when chunkDuration is given/,
    ],
    ['export without name', line({ v: 1, type: 'export', fromChunk: 0 }), 'BAD_REQUEST', /field "name"/],
    [
      'export from -1',
      line({ v: 1, type: 'export', name: 'x', fromChunk: -1 }),
      'BAD_REQUEST',
      /field "fromChunk" must be a chunk index/,
    ],
    [
      'export from 1.5',
      line({ v: 1, type: 'export', name: 'x', fromChunk: 1.5 }),
      'BAD_REQUEST',
      /"fromChunk".*got 1.5/,
    ],
  ];

  it.each(bad)('%s is answered %s', (_what, text, code, message) => {
    const problem = problemOf(() => parseRequestLine(text));
    expect(problem.code).toBe(code);
    expect(problem.message).toMatch(message);
  });

  // Optional fields given as null are "not given", as on the wire: dropped, never sent on as null.
  it('reads a null optional field as absent', () => {
    expect(
      parseRequestLine(
        line({
          v: 1,
          type: 'add',
          file: '/a.mp4',
          name: null,
          chunkDuration: null,
          chunkSize: 1048576,
          replace: false,
        }),
      ),
    ).toEqual({ type: 'add', file: '/a.mp4', chunkSize: 1048576, replace: false });
  });

  const moreBad: Array<[string, unknown, RegExp]> = [
    [
      'add with a chunkSize over 64 MiB',
      { v: 1, type: 'add', file: '/a.mp4', chunkSize: 64 * 1024 * 1024 + 1, replace: false },
      /bad add request: field "chunkSize" must be an integer from 0 to 67108864; got 67108865/,
    ],
    [
      'add with a fractional chunkSize',
      { v: 1, type: 'add', file: '/a.mp4', chunkSize: 65536.5, replace: false },
      /field "chunkSize" must be an integer from 0 to 67108864; got 65536.5/,
    ],
    [
      'add with a chunkSize below 64 KiB',
      { v: 1, type: 'add', file: '/a.mp4', chunkSize: 1024, replace: false },
      /field "chunkSize" must be 65536 to 67108864 bytes; got 1024/,
    ],
    [
      'add whose file is a number',
      { v: 1, type: 'add', file: 7, replace: false },
      /field "file" must be an absolute file path of at most 4096 bytes; got 7/,
    ],
    [
      'add whose file is bad and whose replace is missing: the file is named first',
      { v: 1, type: 'add', file: 'x' },
      /field "file"/,
    ],
    [
      'live-start with a window past a day',
      { v: 1, type: 'live-start', name: 'x', input: 'testsrc', loop: false, window: 86_401 },
      /bad live-start request: field "window" must be an integer from 0 to 86400; got 86401/,
    ],
    [
      'live-start with a fractional window',
      { v: 1, type: 'live-start', name: 'x', input: 'testsrc', loop: false, window: 1.5 },
      /field "window" must be an integer from 0 to 86400; got 1.5/,
    ],
    [
      'live-start without an input',
      { v: 1, type: 'live-start', name: 'x', loop: false, window: 0 },
      /field "input"/,
    ],
    [
      'live-start with a stall of 0 s',
      { v: 1, type: 'live-start', name: 'x', input: 'testsrc', loop: false, window: 0, stallSeconds: 0 },
      /field "stallSeconds"/,
    ],
    [
      'live-start waiting longer than an hour for a lost input',
      {
        v: 1,
        type: 'live-start',
        name: 'x',
        input: 'testsrc',
        loop: false,
        window: 0,
        reconnectSeconds: 3601,
      },
      /field "reconnectSeconds"/,
    ],
    [
      'live-start waiting a negative time for a lost input',
      { v: 1, type: 'live-start', name: 'x', input: 'testsrc', loop: false, window: 0, reconnectSeconds: -1 },
      /field "reconnectSeconds"/,
    ],
    [
      'live-stop keeping under a bad name',
      { v: 1, type: 'live-stop', name: 'x', keep: '../etc' },
      /bad live-stop request: field "keep"/,
    ],
    [
      'export from an index past the limit',
      { v: 1, type: 'export', name: 'x', fromChunk: 10_000_000 },
      /field "fromChunk" must be a chunk index: an integer from 0 to 9999999; got 10000000/,
    ],
  ];

  it.each(moreBad)('%s is a BAD_REQUEST naming the field', (_what, value, message) => {
    const problem = problemOf(() => parseRequestLine(line(value)));
    expect(problem.code).toBe('BAD_REQUEST');
    expect(problem.message).toMatch(message);
  });

  it('a client cannot send what the node would refuse: encodeRequest validates too', () => {
    expect(() => encodeRequest({ type: 'export', name: 'x', fromChunk: -4 })).toThrow(/fromChunk/);
  });
});

const summary: VideoSummary = {
  name: manifest.name,
  manifest,
  pinned: true,
  chunksHeld: 2,
  bytesHeld: 2700,
  hasInit: true,
  addedAt: '2024-01-01T00:00:00.000Z',
};

describe('lines from the node', () => {
  it('events and results round-trip for the command they belong to', () => {
    const progress = encodeEvent({ type: 'progress', mediaSeconds: 2, totalSeconds: 8, bytesOut: 1000 });
    expect(parseNodeLine('add', Buffer.from(progress.trim()))).toEqual({
      kind: 'event',
      event: { type: 'progress', mediaSeconds: 2, totalSeconds: 8, bytesOut: 1000 },
    });
    const notice = encodeEvent({ type: 'notice', level: 'warning', text: 'no poster: ffmpeg failed' });
    expect(parseNodeLine('add', Buffer.from(notice.trim()))).toEqual({
      kind: 'event',
      event: { type: 'notice', level: 'warning', text: 'no poster: ffmpeg failed' },
    });
    expect(parseNodeLine('ls', Buffer.from(encodeEvent({ type: 'video', video: summary }).trim()))).toEqual({
      kind: 'event',
      event: { type: 'video', video: summary },
    });
    expect(parseNodeLine('add', Buffer.from(encodeResult('add', { manifest }).trim()))).toEqual({
      kind: 'result',
      result: { manifest },
    });
    const report = {
      checkedChunks: 3,
      checkedBytes: 2700,
      problems: [{ video: 'v', index: -1, problem: 'wrong-hash' as const }],
      repaired: 1,
      notHeld: [{ video: 'v', index: 4 }],
      droppedAtOpen: 0,
    };
    expect(parseNodeLine('verify', Buffer.from(encodeResult('verify', { report }).trim()))).toEqual({
      kind: 'result',
      result: { report },
    });
    expect(
      parseNodeLine('export', Buffer.from(encodeError('VIDEO_NOT_FOUND', 'no such video').trim())),
    ).toEqual({
      kind: 'error',
      code: 'VIDEO_NOT_FOUND',
      message: 'no such video',
    });
  });

  const bad: Array<[string, 'add' | 'ls' | 'verify' | 'export', unknown, RegExp]> = [
    [
      'an event of another command',
      'verify',
      { v: 1, type: 'progress', mediaSeconds: 1, totalSeconds: null, bytesOut: 0 },
      /a verify command gets verify-ok, error lines; got type "progress"/,
    ],
    ['another command’s result', 'ls', { v: 1, type: 'add-ok', manifest }, /got type "add-ok"/],
    ['a notice of an unknown level', 'add', { v: 1, type: 'notice', level: 'shout', text: 'x' }, /"level"/],
    ['a notice without text', 'add', { v: 1, type: 'notice', level: 'note' }, /"text"/],
    ['a notice to an ls', 'ls', { v: 1, type: 'notice', level: 'note', text: 'x' }, /got type "notice"/],
    ['a newer version', 'ls', { v: 2, type: 'ls-ok', count: 0 }, /version 2.*client speaks version 1/],
    ['a data event of 0 bytes', 'export', { v: 1, type: 'data', size: 0 }, /"size"/],
    ['a data event over 64 MiB', 'export', { v: 1, type: 'data', size: 64 * 1024 * 1024 + 1 }, /"size"/],
    [
      'an error with a lower-case code',
      'ls',
      { v: 1, type: 'error', code: 'oops', message: 'x' },
      /upper-case code/,
    ],
    ['an error without message', 'ls', { v: 1, type: 'error', code: 'INTERNAL' }, /"message"/],
    [
      'a video whose manifest is broken',
      'ls',
      { v: 1, type: 'video', video: { ...summary, manifest: { ...manifest, version: 9 } } },
      /video.manifest.version/,
    ],
    [
      'a verify report with an unknown problem',
      'verify',
      {
        v: 1,
        type: 'verify-ok',
        report: {
          checkedChunks: 0,
          checkedBytes: 0,
          problems: [{ video: 'v', index: 0, problem: 'gone' }],
          repaired: 0,
          notHeld: [],
          droppedAtOpen: 0,
        },
      },
      /report.problems\[0\].problem/,
    ],
  ];

  const report = {
    checkedChunks: 0,
    checkedBytes: 0,
    problems: [],
    repaired: 0,
    notHeld: [],
    droppedAtOpen: 0,
  };
  // Problems inside nested maps are named by their whole path, and an array where a map belongs is
  // refused as not a map (valibot's object alone would take it and name its first missing field).
  const nested: typeof bad = [
    [
      'a video that is an array',
      'ls',
      { v: 1, type: 'video', video: [] },
      /field "video" must be a map; got an array of 0/,
    ],
    [
      'a video without a name',
      'ls',
      { v: 1, type: 'video', video: { ...summary, name: undefined } },
      /field "video.name" must be a valid video name/,
    ],
    [
      'a video whose manifest has a bad chunk hash',
      'ls',
      {
        v: 1,
        type: 'video',
        video: {
          ...summary,
          manifest: { ...manifest, chunks: [manifest.chunks[0], { ...manifest.chunks[1], sha256: 'abc' }] },
        },
      },
      /video event: field "video.manifest.chunks\[1\].sha256" must be 64 lower-case hex digits; got "abc"/,
    ],
    [
      'an add-ok without its manifest',
      'add',
      { v: 1, type: 'add-ok' },
      /add-ok: field "manifest" must be a map; got undefined/,
    ],
    [
      'a verify report that is an array',
      'verify',
      { v: 1, type: 'verify-ok', report: [report] },
      /field "report" must be a map; got an array of 1/,
    ],
    [
      'a verify problem that is an array',
      'verify',
      { v: 1, type: 'verify-ok', report: { ...report, problems: [['v', 0, 'missing']] } },
      /field "report.problems\[0\]" must be a map; got an array of 3/,
    ],
    [
      'a chunk not held that lacks its index',
      'verify',
      { v: 1, type: 'verify-ok', report: { ...report, notHeld: [{ video: 'v' }] } },
      /field "report.notHeld\[0\].index" must be a chunk index: .*or -1 for the init segment; got undefined/,
    ],
    [
      'a verify problem wrong in both its kind and its video: the kind is named',
      'verify',
      {
        v: 1,
        type: 'verify-ok',
        report: { ...report, problems: [{ video: '', index: 0, problem: 'gone' }] },
      },
      /field "report.problems\[0\].problem" must be one of missing, wrong-size, wrong-hash; got "gone"/,
    ],
    [
      'an export-ok with a fractional byte count',
      'export',
      { v: 1, type: 'export-ok', bytes: 1.5, chunks: 1 },
      /field "bytes" must be an integer from 0 to 9007199254740991; got 1.5/,
    ],
    [
      'an error whose message is not a string',
      'ls',
      { v: 1, type: 'error', code: 'INTERNAL', message: 42 },
      /error line: field "message" must be a string of at most 2000 characters; got 42/,
    ],
    [
      'a progress with a negative time',
      'add',
      { v: 1, type: 'progress', mediaSeconds: -1, bytesOut: 0 },
      /progress event: field "mediaSeconds" must be a number from 0 to 1000000000; got -1/,
    ],
  ];

  it('a verify problem keeps the store’s layout, so verify --json prints the same through a node', () => {
    const report = {
      checkedChunks: 1,
      checkedBytes: 1,
      problems: [{ video: 'v', index: 0, problem: 'missing' as const }],
      repaired: 0,
      notHeld: [],
      droppedAtOpen: 0,
    };
    const read = parseNodeLine('verify', Buffer.from(encodeResult('verify', { report })));
    expect(read.kind === 'result' && JSON.stringify(read.result.report)).toBe(JSON.stringify(report));
  });

  it('a progress without its total reads it as not known (null)', () => {
    expect(parseNodeLine('add', line({ v: 1, type: 'progress', mediaSeconds: 1, bytesOut: 5 }))).toEqual({
      kind: 'event',
      event: { type: 'progress', mediaSeconds: 1, totalSeconds: null, bytesOut: 5 },
    });
  });

  it.each([...bad, ...nested])('%s is a BAD_REPLY', (_what, command, value, message) => {
    const problem = problemOf(() => parseNodeLine(command, line(value)));
    expect(problem.code).toBe('BAD_REPLY');
    expect(problem.message).toMatch(message);
  });

  it('the node cannot send what the client would refuse: encoders validate too', () => {
    expect(() => encodeEvent({ type: 'data', size: -1 })).toThrow(/size/);
    expect(() => encodeResult('ls', { count: 1.5 })).toThrow(/count/);
  });
});

describe('live lines from the node', () => {
  const session = {
    name: 'lecture',
    state: 'live' as const,
    input: 'the test pattern',
    stream: '0123456789abcdef0123456789abcdef',
    chunks: 12,
    inWindow: 5,
    seconds: 12.04,
    window: 5,
    delayMs: 1070,
    reason: null,
    startedAt: '2026-12-03T03:00:00.000Z',
  };

  it('round-trip: a session, a stop with and without its recording, the list', () => {
    const started = encodeResult('live-start', { session });
    expect(parseNodeLine('live-start', Buffer.from(started.trim()))).toEqual({
      kind: 'result',
      result: { session },
    });
    const kept = { name: 'rec', chunks: 12, duration: 12.04 };
    const stopped = {
      session: { ...session, state: 'stopped' as const, reason: 'stopped with live stop' },
      kept,
    };
    expect(parseNodeLine('live-stop', Buffer.from(encodeResult('live-stop', stopped).trim()))).toEqual({
      kind: 'result',
      result: stopped,
    });
    const starting = {
      ...session,
      state: 'starting' as const,
      stream: null,
      chunks: 0,
      inWindow: 0,
      delayMs: null,
    };
    const listed = encodeResult('live-list', { sessions: [session, starting] });
    expect(parseNodeLine('live-list', Buffer.from(listed.trim()))).toEqual({
      kind: 'result',
      result: { sessions: [session, starting] },
    });
    // A stop without --keep: kept absent reads as null.
    const bare = JSON.stringify({ v: 1, type: 'live-stop-ok', session });
    expect(parseNodeLine('live-stop', Buffer.from(bare))).toEqual({
      kind: 'result',
      result: { session, kept: null },
    });
  });

  it('refuses a session the node could not have sent, naming the field', () => {
    for (const [field, value] of [
      ['state', 'paused'],
      ['stream', 'not-hex'],
      ['chunks', -1],
    ] as const) {
      const bad = JSON.stringify({ v: 1, type: 'live-start-ok', session: { ...session, [field]: value } });
      const problem = problemOf(() => parseNodeLine('live-start', Buffer.from(bad)));
      expect(problem.code).toBe('BAD_REPLY');
      expect(problem.message).toContain(field);
    }
  });
});
