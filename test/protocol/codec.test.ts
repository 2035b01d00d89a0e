import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import {
  decodeReply,
  decodeRequest,
  encodeErrorReply,
  encodeOkReply,
  encodeRequest,
} from '../../core/protocol/codec.js';
import {
  MAX_LIVE_VIEWERS,
  MAX_LIVE_VIEWER_STREAMS,
  MAX_POSTER_BYTES,
  MAX_REQUEST_BYTES,
  MAX_REQUEST_INVENTORY_INDEXES,
  MAX_REQUEST_INVENTORY_VIDEOS,
} from '../../core/protocol/limits.js';
import {
  REQUEST_TYPES,
  TYPES_WITH_BODY,
  type Request,
  type RequestType,
} from '../../core/protocol/messages.js';
import { WireProblem } from '../../core/protocol/problems.js';
import { getBody, legacyManifest, liveManifest, replies, requests, wireProblemOf } from './fixtures.js';

const packr = new Packr({ useRecords: false });
const raw = (header: unknown): Buffer => packr.pack(header);
const requestFrame = (type: string, fields: Record<string, unknown>, id = 7): Buffer =>
  raw({ v: 1, id, type, ...fields });

const problemOf = wireProblemOf;

describe('requests round trip', () => {
  it.each(REQUEST_TYPES)('%s', (type) => {
    const request = { type, ...requests[type] } as Request;
    const frames = encodeRequest(42, request);
    expect(frames).toHaveLength(1);
    expect(decodeRequest(frames as Buffer[])).toEqual({ id: 42, ...request });
  });

  it('omits absent optional fields instead of sending nil', () => {
    const frames = encodeRequest(1, { type: 'get', video: 'v', index: -1, fetchUpstream: false });
    expect(decodeRequest(frames as Buffer[])).toEqual({
      id: 1,
      type: 'get',
      video: 'v',
      index: -1,
      fetchUpstream: false,
    });
  });

  it('accepts nil for optional fields and drops unknown fields', () => {
    const decoded = decodeRequest([
      requestFrame('get', { video: 'v', index: 3, fetchUpstream: false, streamId: null, extra: 'x' }),
    ]);
    expect(decoded).toEqual({ id: 7, type: 'get', video: 'v', index: 3, fetchUpstream: false });
  });

  it('carries how soon a get is needed, from now to an hour ahead', () => {
    for (const dueInMs of [0, 1_500, 3_600_000]) {
      const frames = encodeRequest(2, { type: 'get', video: 'v', index: 4, fetchUpstream: true, dueInMs });
      expect(decodeRequest(frames)).toMatchObject({ type: 'get', index: 4, dueInMs });
    }
  });

  it('reads the older name of fetchUpstream, fromChild, from nodes that still send it', () => {
    const decoded = decodeRequest([requestFrame('get', { video: 'v', index: 3, fromChild: true })]);
    expect(decoded).toEqual({ id: 7, type: 'get', video: 'v', index: 3, fetchUpstream: true });
    expect(() => decodeRequest([requestFrame('get', { video: 'v', index: 3, fromChild: 'yes' })])).toThrow(
      /field "fromChild" must be true or false/,
    );
  });

  it('an announce-videos without its list (a hint; older senders still send one)', () => {
    const decoded = decodeRequest([requestFrame('announce-videos', { name: 'relay' })]);
    expect(decoded).toEqual({ id: 7, type: 'announce-videos', name: 'relay' });
  });
});

describe('replies round trip', () => {
  it.each(REQUEST_TYPES)('%s-ok', (type: RequestType) => {
    const body = TYPES_WITH_BODY.has(type) ? getBody : undefined;
    const frames = encodeOkReply(9, type, replies[type] as never, body);
    const decoded = decodeReply(frames as Buffer[]);
    expect(decoded.id).toBe(9);
    expect(decoded.reply).toEqual({ type: `${type}-ok`, ...replies[type] });
    if (body) expect(Buffer.compare(decoded.body!, body)).toBe(0);
    else expect(decoded.body).toBeUndefined();
  });

  it('a legacy manifest', () => {
    const frames = encodeOkReply(1, 'get-manifest', { manifest: legacyManifest });
    expect(decodeReply(frames as Buffer[]).reply).toEqual({
      type: 'get-manifest-ok',
      manifest: legacyManifest,
    });
  });

  it('an error reply, with and without retryAfterMs', () => {
    const plain = decodeReply(encodeErrorReply(3, 'CHUNK_NOT_FOUND', 'no chunk 9') as Buffer[]);
    expect(plain).toEqual({
      id: 3,
      reply: { type: 'error', code: 'CHUNK_NOT_FOUND', message: 'no chunk 9' },
    });
    const busy = decodeReply(encodeErrorReply(4, 'OVERLOADED', 'busy', { retryAfterMs: 100 }) as Buffer[]);
    expect(busy.reply).toEqual({ type: 'error', code: 'OVERLOADED', message: 'busy', retryAfterMs: 100 });
  });

  it("a full master's MASTER_FULL carries where to go instead, at most 8 places", () => {
    const places = Array.from({ length: 10 }, (_, i) => ({
      name: `c${i}`,
      address: `tcp://10.0.0.${i + 1}:7000`,
    }));
    const full = decodeReply(encodeErrorReply(5, 'MASTER_FULL', 'full', { tryInstead: places }) as Buffer[]);
    expect(full.reply).toEqual({
      type: 'error',
      code: 'MASTER_FULL',
      message: 'full',
      tryInstead: places.slice(0, 8),
    });
  });

  it('truncates long error messages to the limit', () => {
    const decoded = decodeReply(encodeErrorReply(3, 'INTERNAL', 'x'.repeat(5000)) as Buffer[]);
    expect(decoded.reply.type === 'error' && decoded.reply.message.length).toBe(2000);
  });

  it('keeps the chunk as its own frame, not inside msgpack', () => {
    const body = Buffer.alloc(1024 * 1024, 7);
    const frames = encodeOkReply(
      1,
      'get',
      { video: 'v', index: 0, size: body.length, sha256: 'a'.repeat(64) },
      body,
    );
    expect(frames[1]).toBe(body);
    expect(frames[0]!.byteLength).toBeLessThan(160);
  });
});

describe('header rejections', () => {
  const cases: Array<[string, Buffer[], string, string, number]> = [
    ['no frames', [], 'no-frames', 'BAD_REQUEST', 0],
    ['an empty header', [Buffer.alloc(0)], 'not-msgpack', 'BAD_REQUEST', 0],
    ['the reserved byte 0xc1', [Buffer.from([0xc1])], 'not-object', 'BAD_REQUEST', 0],
    [
      'truncated msgpack',
      [raw({ v: 1, id: 1, type: 'ping' }).subarray(0, 5)],
      'not-msgpack',
      'BAD_REQUEST',
      0,
    ],
    [
      'trailing bytes',
      [Buffer.concat([raw({ v: 1, id: 1, type: 'ping' }), Buffer.from([1])])],
      'not-msgpack',
      'BAD_REQUEST',
      0,
    ],
    ['random bytes', [Buffer.from('GET / HTTP/1.1\r\n\r\n')], 'not-msgpack', 'BAD_REQUEST', 0],
    ['an array', [raw([1, 'ping'])], 'not-object', 'BAD_REQUEST', 0],
    ['a string', [raw('ping')], 'not-object', 'BAD_REQUEST', 0],
    ['nil', [raw(null)], 'not-object', 'BAD_REQUEST', 0],
    ['binary', [raw(Buffer.from('x'))], 'not-object', 'BAD_REQUEST', 0],
    [
      'a header over the size limit',
      [Buffer.alloc(MAX_REQUEST_BYTES + 1)],
      'header-too-large',
      'BAD_REQUEST',
      0,
    ],
    ['a missing id', [raw({ v: 1, type: 'ping' })], 'bad-id', 'BAD_REQUEST', 0],
    ['id 0', [raw({ v: 1, id: 0, type: 'ping' })], 'bad-id', 'BAD_REQUEST', 0],
    ['a negative id', [raw({ v: 1, id: -1, type: 'ping' })], 'bad-id', 'BAD_REQUEST', 0],
    ['a fractional id', [raw({ v: 1, id: 1.5, type: 'ping' })], 'bad-id', 'BAD_REQUEST', 0],
    ['an id over 32 bits', [raw({ v: 1, id: 2 ** 32, type: 'ping' })], 'bad-id', 'BAD_REQUEST', 0],
    ['a string id', [raw({ v: 1, id: '1', type: 'ping' })], 'bad-id', 'BAD_REQUEST', 0],
    ['version 2', [raw({ v: 2, id: 5, type: 'ping' })], 'bad-version', 'UNSUPPORTED_VERSION', 5],
    ['no version', [raw({ id: 5, type: 'ping' })], 'bad-version', 'UNSUPPORTED_VERSION', 5],
    ['a string version', [raw({ v: '1', id: 5, type: 'ping' })], 'bad-version', 'UNSUPPORTED_VERSION', 5],
    ['no type', [raw({ v: 1, id: 5 })], 'unknown-type', 'BAD_REQUEST', 5],
    ['a numeric type', [raw({ v: 1, id: 5, type: 3 })], 'unknown-type', 'BAD_REQUEST', 5],
    ['an unknown type', [raw({ v: 1, id: 5, type: 'rm -rf' })], 'unknown-type', 'UNKNOWN_TYPE', 5],
    [
      'a reply sent as a request',
      [raw({ v: 1, id: 5, type: 'ping-ok', name: 'x', time: 1 })],
      'unknown-type',
      'UNKNOWN_TYPE',
      5,
    ],
    [
      'an inherited type name',
      [raw({ v: 1, id: 5, type: 'constructor' })],
      'unknown-type',
      'UNKNOWN_TYPE',
      5,
    ],
    [
      'an extra binary frame',
      [raw({ v: 1, id: 5, type: 'ping' }), Buffer.from('x')],
      'bad-frames',
      'BAD_REQUEST',
      // Refused by its frame count before the header is read, so the reply cannot name the id.
      0,
    ],
  ];
  it.each(cases)('refuses %s', (_label, frames, reason, code, id) => {
    const problem = problemOf(() => decodeRequest(frames));
    expect(problem.reason).toBe(reason);
    expect(problem.code).toBe(code);
    expect(problem.id).toBe(id);
  });

  it('does not let a __proto__ key change the header prototype', () => {
    const frame = Buffer.concat([
      Buffer.from([0x84]),
      raw('v'),
      raw(1),
      raw('id'),
      raw(2),
      raw('type'),
      raw('ping'),
      raw('__proto__'),
      raw({ polluted: true }),
    ]);
    expect(decodeRequest([frame])).toEqual({ id: 2, type: 'ping' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

const longName = 'n'.repeat(101);
const fieldCases: Array<[RequestType, Record<string, unknown>, string]> = [
  ['register', { name: undefined }, 'name'],
  ['register', { name: longName }, 'name'],
  ['register', { name: 'é'.repeat(51) }, 'name'],
  ['register', { name: 'evil\nname' }, 'name'],
  ['register', { name: ' padded' }, 'name'],
  ['register', { name: '' }, 'name'],
  ['register', { name: 42 }, 'name'],
  ['register', { address: 'http://10.0.0.2:7001' }, 'address'],
  ['register', { address: 'tcp://10.0.0.2' }, 'address'],
  ['register', { address: 'tcp://10.0.0.2:0' }, 'address'],
  ['register', { address: 'tcp://10.0.0.2:65536' }, 'address'],
  ['register', { address: 'tcp://0.0.0.0:7001' }, 'address'],
  ['register', { address: 'tcp://*:7001' }, 'address'],
  ['register', { address: 'tcp://300.1.1.1:7001' }, 'address'],
  ['register', { address: 'tcp://bad_host:7001' }, 'address'],
  ['register', { address: 'tcp://[zz::1]:7001' }, 'address'],
  ['register', { address: `tcp://${'a'.repeat(400)}:1` }, 'address'],
  ['register', { role: 'king' }, 'role'],
  ['register', { seeding: 'yes' }, 'seeding'],
  ['register', { chunks: 'all' }, 'chunks'],
  ['register', { chunks: [{ video: '../../etc/passwd', indexes: [1] }] }, 'chunks[0].video'],
  ['register', { chunks: [{ video: 'a/b', indexes: [1] }] }, 'chunks[0].video'],
  ['register', { chunks: [{ video: 'v', indexes: [1, -2] }] }, 'chunks[0].indexes[1]'],
  ['register', { chunks: [{ video: 'v', indexes: [10_000_000] }] }, 'chunks[0].indexes[0]'],
  ['register', { chunks: [{ video: 'v', indexes: [1.5] }] }, 'chunks[0].indexes[0]'],
  ['register', { chunks: [{ video: 'v', indexes: [Number.NaN] }] }, 'chunks[0].indexes[0]'],
  ['register', { chunks: [{ video: 'v', indexes: ['1'] }] }, 'chunks[0].indexes[0]'],
  ['register', { chunks: [{ video: 'v', indexes: 'all' }] }, 'chunks[0].indexes'],
  [
    'register',
    {
      chunks: [
        { video: 'v', indexes: [] },
        { video: 'v', indexes: [] },
      ],
    },
    'chunks[1].video',
  ],
  ['register', { chunks: [null] }, 'chunks[0]'],
  ['register', { capacity: undefined }, 'capacity'],
  [
    'register',
    { capacity: { maxInFlight: -1, uploadBytesPerSecond: 0, storeBytes: 0 } },
    'capacity.maxInFlight',
  ],
  [
    'register',
    { capacity: { maxInFlight: 1, uploadBytesPerSecond: '1', storeBytes: 0 } },
    'capacity.uploadBytesPerSecond',
  ],
  ['report', { added: undefined }, 'added'],
  ['report', { removed: [{ video: '..', indexes: [1] }] }, 'removed[0].video'],
  ['query', { count: 0 }, 'count'],
  ['query', { count: 65 }, 'count'],
  ['query', { count: 1.5 }, 'count'],
  ['query', { from: -2 }, 'from'],
  ['query', { from: Number.POSITIVE_INFINITY }, 'from'],
  ['query', { name: undefined }, 'name'],
  ['query', { video: '' }, 'video'],
  ['get', { index: -2 }, 'index'],
  ['get', { index: 10_000_000 }, 'index'],
  ['get', { index: 2 ** 53 }, 'index'],
  ['get', { index: Number.NaN }, 'index'],
  ['get', { index: '3' }, 'index'],
  ['get', { index: 2.5 }, 'index'],
  ['get', { index: undefined }, 'index'],
  ['get', { video: '../../etc/passwd' }, 'video'],
  ['get', { video: 'x'.repeat(201) }, 'video'],
  ['get', { video: 'nul\u0000byte' }, 'video'],
  ['get', { fetchUpstream: 1 }, 'fetchUpstream'],
  ['get', { fetchUpstream: undefined }, 'fetchUpstream'],
  ['get', { streamId: 's'.repeat(65) }, 'streamId'],
  ['get', { streamId: 'tab\tid' }, 'streamId'],
  ['get', { name: 'x'.repeat(101) }, 'name'],
  ['announce-live', { name: undefined }, 'name'],
  ['announce-live', { manifest: undefined }, 'manifest'],
  ['announce-live', { manifest: 'a manifest' }, 'manifest'],
  [
    'announce-live',
    { manifest: { ...liveManifest, chunks: [{ ...liveManifest.chunks[0]!, sha256: 'abc' }] } },
    'manifest.chunks[0].sha256',
  ],
  ['get', { dueInMs: -1 }, 'dueInMs'],
  ['get', { dueInMs: 1.5 }, 'dueInMs'],
  ['get', { dueInMs: 3_600_001 }, 'dueInMs'],
  ['get', { dueInMs: '100' }, 'dueInMs'],
  ['ping', { name: 5 }, 'name'],
  ['bye', { name: undefined }, 'name'],
  ['get-manifest', { video: 5 }, 'video'],
  ['announce-videos', { name: undefined }, 'name'],
  ['announce-videos', { videos: 'all' }, 'videos'],
  ['announce-videos', { videos: new Array(65).fill(requests['announce-videos'].videos![0]) }, 'videos'],
  [
    'announce-videos',
    { videos: [{ ...requests['announce-videos'].videos![0], name: '../x' }] },
    'videos[0].name',
  ],
  [
    'announce-videos',
    { videos: [{ ...requests['announce-videos'].videos![0], chunks: -1 }] },
    'videos[0].chunks',
  ],
  ['register', { room: -1 }, 'room'],
  ['register', { room: 100_001 }, 'room'],
  ['register', { levelsToRoom: 33 }, 'levelsToRoom'],
  ['ping', { name: 'a', room: 1.5 }, 'room'],
  ['ping', { name: 'a', levelsToRoom: 'near' }, 'levelsToRoom'],
  ['ping', { name: 'a', roomAt: { name: 'b', address: 'tcp://h:0' } }, 'roomAt.address'],
  ['report', { name: 'a', roomAt: { name: 'b', address: 'tcp://h:1', key: 'short' } }, 'roomAt.key'],
  ['register', { roomAt: 'tcp://h:1' }, 'roomAt'],
  ['register', { roomAtRoom: -1 }, 'roomAtRoom'],
  ['ping', { name: 'a', roomAtRoom: 100_001 }, 'roomAtRoom'],
  ['report', { name: 'a', roomAtRoom: 0.5 }, 'roomAtRoom'],
  ['get-poster', { video: '../../etc/passwd' }, 'video'],
  ['get-poster', { video: undefined }, 'video'],
  ['get-poster', { name: 'tab\tname' }, 'name'],
];

describe('field rejections', () => {
  it.each(fieldCases)('%s with %j is refused naming %s', (type, override, field) => {
    const fields = Object.fromEntries(
      Object.entries({ ...requests[type], ...override }).filter(([, value]) => value !== undefined),
    );
    const problem = problemOf(() => decodeRequest([requestFrame(type, fields)]));
    expect(problem.reason).toBe('bad-field');
    expect(problem.code).toBe('BAD_REQUEST');
    expect(problem.field).toBe(field);
    expect(problem.id).toBe(7);
    expect(problem.message).toContain(`"${field}"`);
  });

  it('bounds the inventory across the whole message', () => {
    const big = Array.from({ length: MAX_REQUEST_INVENTORY_INDEXES }, (_, i) => 9_000_000 + i);
    const ok = decodeRequest([
      requestFrame('register', { ...requests.register, chunks: [{ video: 'v', indexes: big }] }),
    ]);
    expect(ok.type === 'register' && ok.chunks[0]!.indexes.length).toBe(MAX_REQUEST_INVENTORY_INDEXES);
    const problem = problemOf(() =>
      decodeRequest([
        requestFrame('report', {
          name: 'a',
          added: [{ video: 'v', indexes: big }],
          removed: [{ video: 'w', indexes: [1] }],
        }),
      ]),
    );
    expect(problem.field).toBe('removed[0].indexes');
    expect(problem.message).toContain('send the rest in further reports');
  });

  it('a register or report at its largest still fits one request', () => {
    // The worst case for size: 5-byte indexes, 200-byte video names, every other field at its longest.
    const perVideo = MAX_REQUEST_INVENTORY_INDEXES / (2 * MAX_REQUEST_INVENTORY_VIDEOS);
    const list = (tag: string) =>
      Array.from({ length: MAX_REQUEST_INVENTORY_VIDEOS }, (_, v) => ({
        video: `${tag}${v}`.padEnd(200, 'x'),
        digest: 'f'.repeat(64),
        indexes: Array.from({ length: perVideo }, (_, i) => 9_000_000 + i),
      }));
    const frames = encodeRequest(7, {
      type: 'report',
      name: 'n'.repeat(100),
      nodeId: 'i'.repeat(64),
      added: list('a'),
      removed: list('r'),
      room: 100_000,
      levelsToRoom: 32,
      roomAt: {
        name: 'm'.repeat(100),
        address: `tcp://${['a', 'b', 'c'].map((label) => label.repeat(63)).join('.')}:65535`,
        key: 'k'.repeat(40),
      },
      roomAtRoom: 100_000,
      suspects: Array.from({ length: 8 }, (_, i) => `${i}`.padEnd(100, 's')),
      liveViewers: Object.fromEntries(
        Array.from({ length: MAX_LIVE_VIEWER_STREAMS }, (_, i) => [
          `${i}`.padEnd(200, 'l'),
          MAX_LIVE_VIEWERS,
        ]),
      ),
    });
    expect(frames[0]!.byteLength).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
  });

  it('a register past its inventory budget is refused, naming the field and what to do', () => {
    const over = Array.from({ length: MAX_REQUEST_INVENTORY_INDEXES + 1 }, (_, i) => i);
    const problem = problemOf(() =>
      decodeRequest([
        requestFrame('register', { ...requests.register, chunks: [{ video: 'v', indexes: over }] }),
      ]),
    );
    expect(problem.reason).toBe('bad-field');
    expect(problem.field).toBe('chunks[0].indexes');
    expect(problem.message).toContain('send the rest in further reports');
  });

  it('a register with a million-index inventory is refused by its size alone', () => {
    const million = Array.from({ length: 1_000_000 }, (_, i) => i);
    const problem = problemOf(() =>
      decodeRequest([
        requestFrame('register', { ...requests.register, chunks: [{ video: 'v', indexes: million }] }),
      ]),
    );
    expect(problem.reason).toBe('header-too-large');
    expect(problem.message).toContain(`at most ${MAX_REQUEST_BYTES}`);
  });

  it('a message of many frames is refused by its count, before its header is read', () => {
    const frames = Array.from({ length: 64 }, () => Buffer.alloc(16));
    const problem = problemOf(() => decodeRequest([requestFrame('ping', {}), ...frames]));
    expect(problem.reason).toBe('bad-frames');
    expect(problem.message).toContain('65 frames');
  });

  it('the encoder refuses what the decoder would', () => {
    expect(() => encodeRequest(1, { type: 'get', video: '../x', index: 0, fetchUpstream: false })).toThrow(
      WireProblem,
    );
    expect(() => encodeRequest(1, { type: 'nope' } as unknown as Request)).toThrow(WireProblem);
    expect(() => encodeRequest(0, { type: 'ping' })).toThrow(WireProblem);
  });
});

describe('reply rejections', () => {
  const okFrame = (type: string, fields: Record<string, unknown>): Buffer =>
    raw({ v: 1, id: 3, type, ...fields });
  const get = replies.get;
  const poster = replies['get-poster'];
  const cases: Array<[string, Buffer[], string]> = [
    ['get-ok without its body', [okFrame('get-ok', { ...get })], 'bad-frames'],
    ['get-ok with a short body', [okFrame('get-ok', { ...get }), Buffer.alloc(3)], 'bad-frames'],
    ['get-ok with two bodies', [okFrame('get-ok', { ...get }), getBody, getBody], 'bad-frames'],
    [
      'get-ok with an upper-case sha256',
      [okFrame('get-ok', { ...get, sha256: get.sha256.toUpperCase() }), getBody],
      'bad-field',
    ],
    ['get-ok with a huge size', [okFrame('get-ok', { ...get, size: 2 ** 40 }), getBody], 'bad-field'],
    ['get-ok with an unknown origin', [okFrame('get-ok', { ...get, origin: 'moon' }), getBody], 'bad-field'],
    ['ping-ok with a body', [okFrame('ping-ok', { ...replies.ping }), getBody], 'bad-frames'],
    ['get-poster-ok without its image', [okFrame('get-poster-ok', { ...poster })], 'bad-frames'],
    [
      'get-poster-ok bigger than a poster may be',
      [
        okFrame('get-poster-ok', { ...poster, size: MAX_POSTER_BYTES + 1 }),
        Buffer.alloc(MAX_POSTER_BYTES + 1),
      ],
      'bad-field',
    ],
    [
      'get-poster-ok of a format the player does not show',
      [okFrame('get-poster-ok', { ...poster, mimeType: 'image/svg+xml' }), getBody],
      'bad-field',
    ],
    [
      'get-manifest-ok with a poster too big',
      [
        okFrame('get-manifest-ok', {
          manifest: {
            ...replies['get-manifest'].manifest,
            poster: { ...poster, size: MAX_POSTER_BYTES + 1 },
          },
        }),
      ],
      'bad-field',
    ],
    [
      'list-videos-ok with a negative size',
      [okFrame('list-videos-ok', { videos: [{ ...replies['list-videos'].videos[0], bytes: -1 }] })],
      'bad-field',
    ],
    ['ping-ok with a string time', [okFrame('ping-ok', { name: 'x', time: 'now' })], 'bad-field'],
    [
      'ping-ok saying reachable in words',
      [okFrame('ping-ok', { name: 'x', time: 1, reachable: 'no' })],
      'bad-field',
    ],
    [
      'query-ok with 65 holder lists',
      [okFrame('query-ok', { ...replies.query, holders: Array.from({ length: 65 }, () => []) })],
      'bad-field',
    ],
    [
      'query-ok with a bad holder address',
      [okFrame('query-ok', { ...replies.query, holders: [[{ name: 'b', address: 'tcp://*:1' }]] })],
      'bad-field',
    ],
    ['register-ok without a master name', [okFrame('register-ok', { level: 1 })], 'bad-field'],
    [
      'register-ok with a path that is not addresses',
      [okFrame('register-ok', { masterName: 'm', level: 1, path: ['not an address'] })],
      'bad-field',
    ],
    [
      'ping-ok with a path deeper than the tree may be',
      [
        okFrame('ping-ok', {
          name: 'm',
          time: 1,
          path: Array.from({ length: 33 }, (_, i) => `tcp://10.0.0.${i + 1}:7000`),
        }),
      ],
      'bad-field',
    ],
    [
      'MASTER_FULL with nine places to go',
      [
        okFrame('error', {
          code: 'MASTER_FULL',
          message: 'full',
          tryInstead: Array.from({ length: 9 }, (_, i) => ({
            name: `c${i}`,
            address: `tcp://10.0.0.${i + 1}:7000`,
          })),
        }),
      ],
      'bad-field',
    ],
    [
      'MASTER_FULL with a place that has no address',
      [okFrame('error', { code: 'MASTER_FULL', message: 'full', tryInstead: [{ name: 'c' }] })],
      'bad-field',
    ],
    [
      'a manifest with chunks out of order',
      [
        okFrame('get-manifest-ok', {
          manifest: {
            ...replies['get-manifest'].manifest,
            chunks: [{ index: 1, start: 0, duration: 1, size: 1, sha256: get.sha256 }],
          },
        }),
      ],
      'bad-field',
    ],
    [
      'a manifest of version 2',
      [okFrame('get-manifest-ok', { manifest: { ...replies['get-manifest'].manifest, version: 2 } })],
      'bad-field',
    ],
    [
      'a manifest of an unknown kind',
      [okFrame('get-manifest-ok', { manifest: { ...replies['get-manifest'].manifest, kind: 'mkv' } })],
      'bad-field',
    ],
    [
      'a manifest with a traversal name',
      [okFrame('get-manifest-ok', { manifest: { ...replies['get-manifest'].manifest, name: '../x' } })],
      'bad-field',
    ],
    ['stats that are not a map', [okFrame('stats-ok', { stats: [1, 2] })], 'bad-field'],
    ['a topology deeper than 32', [okFrame('topology-ok', { tree: deepTree(40) })], 'bad-field'],
    [
      'a topology node that left out a negative number of nodes',
      [okFrame('topology-ok', { tree: { ...(deepTree(1) as object), omitted: -1 } })],
      'bad-field',
    ],
    [
      'a topology node that left out a fraction of a node',
      [okFrame('topology-ok', { tree: { ...(deepTree(1) as object), omitted: 1.5 } })],
      'bad-field',
    ],
    [
      'a topology node holding a traversal name',
      [
        okFrame('topology-ok', {
          tree: { ...(deepTree(1) as object), chunks: [{ video: '../../etc/passwd', indexes: [0] }] },
        }),
      ],
      'bad-field',
    ],
    ['an error with a lower-case code', [okFrame('error', { code: 'oops', message: 'x' })], 'bad-field'],
    ['an error without a message', [okFrame('error', { code: 'OOPS' })], 'bad-field'],
    ['an unknown reply type', [okFrame('teleport-ok', {})], 'unknown-type'],
    ['a reply of an unknown version', [raw({ v: 9, id: 3, type: 'ping-ok' })], 'bad-version'],
  ];
  it.each(cases)('refuses %s', (_label, frames, reason) => {
    const problem = problemOf(() => decodeReply(frames));
    expect(problem.reason).toBe(reason);
    expect(problem.id).toBe(3);
  });

  it('the encoder refuses a get reply whose body does not match its size', () => {
    expect(() => encodeOkReply(1, 'get', get)).toThrow(WireProblem);
    expect(() => encodeOkReply(1, 'get', get, Buffer.alloc(5))).toThrow(WireProblem);
    expect(() => encodeOkReply(1, 'ping', replies.ping, getBody)).toThrow(WireProblem);
  });
});

function deepTree(depth: number): unknown {
  let node: unknown = { name: 'leaf', address: null, role: 'child', level: depth, children: [] };
  for (let level = depth - 1; level >= 0; level--) {
    node = { name: `n${level}`, address: null, role: 'master', level, children: [node] };
  }
  return node;
}
