import { randomBytes } from 'node:crypto';
import { Packr, Unpackr } from 'msgpackr';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as zmq from 'zeromq';
import { PeerClient } from '../../core/net/client.js';
import type { PeerServer } from '../../core/net/server.js';
import { MAX_REQUEST_BYTES } from '../../core/protocol/limits.js';
import { CURVE_FRAME_OVERHEAD } from '../../core/net/socket-options.js';
import { peerIdFor, rawDealer, receiveFor, serveFixtures, startServer } from './helpers.js';
import { waitFor } from '../helpers/wait.js';

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false });
const ROUTING_ID = 'hostile-peer';
const PEER_ID = peerIdFor(ROUTING_ID);

let server: PeerServer;
let dealer: zmq.Dealer;
let handled: string[];

beforeEach(async () => {
  server = await startServer({ errorRepliesPerSecond: 1000 });
  serveFixtures(server, new Map([[0, Buffer.from('chunk zero')]]));
  handled = [];
  // Count what reaches the handlers: nothing invalid may.
  server.handle('get', (request) => {
    handled.push(`${request.video}#${request.index}`);
    const body = Buffer.from('chunk zero');
    return {
      reply: {
        video: request.video,
        index: request.index,
        size: body.length,
        sha256: '2f1f8d2f52a6a8b55d8e4bd5bcb4c7d1d4d21a8a3b4ef3ecf7ce4e2f2a5b7c9e',
      },
      body,
    };
  });
  dealer = rawDealer(server, ROUTING_ID);
});

afterEach(async () => {
  dealer.close();
  await server.close();
});

/** Resolves when libzmq reports that `socket`'s connection was dropped (by the server). */
function dropped(socket: zmq.Dealer): Promise<void> {
  return new Promise((resolve) => socket.events.on('disconnect', () => resolve()));
}

const header = (fields: Record<string, unknown>): Buffer => packr.pack({ v: 1, id: 11, ...fields });
const get = (fields: Record<string, unknown>): Buffer =>
  header({ type: 'get', video: 'v', index: 0, fetchUpstream: false, ...fields });

const hostile: Array<[string, Buffer[]]> = [
  ['random bytes', [randomBytes(64)]],
  ['random frames', [randomBytes(10), randomBytes(3000), randomBytes(1)]],
  ['an empty frame', [Buffer.alloc(0)]],
  ['two empty frames', [Buffer.alloc(0), Buffer.alloc(0)]],
  ['an HTTP request', [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]],
  ['msgpack that is not a map', [packr.pack(['get', 'v', 0])]],
  ['a msgpack string', [packr.pack('ping')]],
  ['a msgpack number', [packr.pack(12345)]],
  ['no id', [packr.pack({ v: 1, type: 'ping' })]],
  ['a negative id', [packr.pack({ v: 1, id: -5, type: 'ping' })]],
  ['version 2', [header({ v: 2, type: 'ping' })]],
  ['version "1"', [header({ v: '1', type: 'ping' })]],
  ['an unknown type', [header({ type: 'shutdown' })]],
  ['a type of the wrong type', [header({ type: ['get'] })]],
  ['a traversal video name', [get({ video: '../../etc/passwd' })]],
  ['an absolute path as a video name', [get({ video: '/etc/passwd' })]],
  ['a negative index', [get({ index: -7 })]],
  ['a huge index', [get({ index: 1e12 })]],
  ['a fractional index', [get({ index: 0.5 })]],
  ['a NaN index', [get({ index: Number.NaN })]],
  ['an Infinity index', [get({ index: Number.POSITIVE_INFINITY })]],
  ['a string index', [get({ index: '0' })]],
  ['a boolean fetchUpstream of the wrong type', [get({ fetchUpstream: 'true' })]],
  ['a request with a binary frame attached', [get({}), Buffer.alloc(10)]],
  [
    'a register with a wildcard address',
    [
      header({
        type: 'register',
        name: 'x',
        address: 'tcp://*:1',
        role: 'child',
        seeding: true,
        chunks: [],
        capacity: { maxInFlight: 1, uploadBytesPerSecond: 0, storeBytes: 0 },
      }),
    ],
  ],
  ['a query of 1000 indexes', [header({ type: 'query', name: 'x', video: 'v', from: 0, count: 1000 })]],
  ['a node name with a newline', [header({ type: 'bye', name: 'evil\n{"level":60}' })]],
];

describe('hostile input from a raw DEALER', () => {
  it('is refused, counted per peer by reason, and the server keeps serving', async () => {
    for (const [, frames] of hostile) await dealer.send(frames);
    await waitFor(
      () => (server.peer(PEER_ID)?.invalidTotal ?? 0) === hostile.length,
      'every hostile message counted',
    );

    // Every refusal is answered (the budget here is 1000/s); an extra reply would show up in place of
    // the pong below.
    const replies = (await receiveFor(dealer, 30_000, hostile.length)).map(
      (frames) => unpackr.unpack(frames[0]!) as Record<string, unknown>,
    );
    expect(replies.length).toBe(hostile.length);
    expect(replies.every((reply) => reply.type === 'error')).toBe(true);
    expect(replies.map((reply) => reply.code)).toEqual(
      expect.arrayContaining(['BAD_REQUEST', 'UNSUPPORTED_VERSION', 'UNKNOWN_TYPE']),
    );
    // Unparseable headers (and a message of several frames, refused before its header is read) are
    // answered with id 0; the rest with their own id.
    expect(replies.filter((reply) => reply.id === 0).length).toBe(11);
    const traversal = replies.find((reply) => String(reply.message).includes('"video"'));
    expect(traversal).toMatchObject({ id: 11, code: 'BAD_REQUEST' });

    const peer = server.peer(PEER_ID)!;
    // Random bytes are refused as either not msgpack or not a map, depending on what they happen to be;
    // messages of several frames by their count, before any frame is read.
    expect((peer.invalid['not-msgpack'] ?? 0) + (peer.invalid['not-object'] ?? 0)).toBe(6);
    expect(peer.invalid).toMatchObject({
      'bad-id': 2,
      'bad-version': 2,
      'unknown-type': 2,
      'bad-field': 12,
      'bad-frames': 3,
    });
    expect(handled).toEqual([]);

    // The same peer, now behaving, is served.
    await dealer.send(header({ id: 99, type: 'ping', name: 'reformed' }));
    const [pong] = await receiveFor(dealer, 30_000, 1);
    expect(unpackr.unpack(pong![0]!)).toMatchObject({ id: 99, type: 'ping-ok', name: 'server' });
    expect(server.peer(PEER_ID)!.declaredName).toBe('reformed');
  });

  it('a request of exactly the limit arrives over CURVE (libzmq counts the frame as it is on the wire)', async () => {
    const largest = Buffer.alloc(MAX_REQUEST_BYTES, 0xc1);
    const edge = rawDealer(server);
    try {
      await edge.send(largest);
      // Delivered, so answered: not msgpack, refused in words, the connection kept.
      const [reply] = await receiveFor(edge, 10_000, 1);
      expect(reply).toBeDefined();
    } finally {
      edge.close();
    }
  });

  it('a 100 MB frame: libzmq drops that connection, the server stays up', async () => {
    await dealer.send(header({ id: 1, type: 'ping' }));
    expect(await receiveFor(dealer, 30_000, 1)).toHaveLength(1);
    const bigDropped = dropped(dealer);
    await dealer.send(Buffer.alloc(100 * 1024 * 1024, 0x41));
    // And a frame just over the limit on the wire (CURVE adds its own bytes) with a valid-looking start.
    const over = Buffer.alloc(MAX_REQUEST_BYTES + CURVE_FRAME_OVERHEAD);
    header({ id: 2, type: 'ping' }).copy(over);
    const other = rawDealer(server);
    try {
      const overDropped = dropped(other);
      await other.send(over);
      // The server has dealt with both frames once it has closed both connections.
      await Promise.all([bigDropped, overDropped]);
      const client = new PeerClient();
      try {
        const { reply } = await client.request(server.address, { type: 'ping' }, { timeoutMs: 3000 });
        expect(reply.type).toBe('ping-ok');
      } finally {
        await client.close();
      }
      // The oversized frames never reached JavaScript.
      expect(server.counters().invalidTotal).toBe(0);
      expect(server.counters().messagesReceived).toBe(2);
    } finally {
      other.close();
    }
  });

  it('invalid-message replies are throttled per peer, not sent without bound', async () => {
    // The budget refills with the clock; a stopped clock makes the count exact however slow the run.
    vi.useFakeTimers({ toFake: ['Date'] });
    const strict = await startServer({ errorRepliesPerSecond: 10 });
    const noisy = rawDealer(strict);
    try {
      for (let i = 0; i < 200; i++) await noisy.send(Buffer.from('garbage'));
      await waitFor(() => strict.counters().invalidTotal === 200, 'all 200 invalid messages counted');
      expect(strict.counters().throttledReplies).toBe(190);
      expect(await receiveFor(noisy, 30_000, 10)).toHaveLength(10);
      // A second later the budget has refilled: the next refusal is answered again.
      vi.setSystemTime(Date.now() + 1_000);
      await noisy.send(Buffer.from('garbage'));
      expect(await receiveFor(noisy, 30_000, 1)).toHaveLength(1);
      expect(strict.counters().throttledReplies).toBe(190);
    } finally {
      vi.useRealTimers();
      noisy.close();
      await strict.close();
    }
  });
});
