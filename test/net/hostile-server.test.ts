import { Packr } from 'msgpackr';
import type * as zmq from 'zeromq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PeerClient } from '../../core/net/client.js';
import { sha256Hex } from '../../core/util/hash.js';
import { rawCurveRouter } from './helpers.js';

const packr = new Packr({ useRecords: false });
let router: zmq.Router;
let client: PeerClient;
let address: string;

beforeEach(async () => {
  ({ router, address } = await rawCurveRouter());
  client = new PeerClient({ timeoutMs: 2000 });
});

afterEach(async () => {
  await client.close();
  router.close();
});

/** Answers the next request with whatever `answer` returns, given the request's routing id and header. */
async function answerNext(answer: (id: number) => Array<Buffer | string>[]): Promise<void> {
  const [routingId, header] = await router.receive();
  const { id } = (await import('msgpackr')).unpack(header!) as { id: number };
  for (const frames of answer(id)) await router.send([routingId!, ...frames]);
}

describe('a hostile or broken server cannot confuse the client', () => {
  it('garbage, unknown ids and wrong types are dropped and counted; the real reply still lands', async () => {
    const body = Buffer.from('the real chunk');
    const pending = client.request(address, { type: 'get', video: 'v', index: 4, fetchUpstream: false });
    await answerNext((id) => [
      [Buffer.from('not msgpack at all')],
      [packr.pack([1, 2])],
      [
        packr.pack({
          v: 1,
          id: id + 1000,
          type: 'get-ok',
          video: 'v',
          index: 4,
          size: 1,
          sha256: 'a'.repeat(64),
        }),
        Buffer.from('x'),
      ],
      [
        packr.pack({
          v: 1,
          id,
          type: 'get-ok',
          video: 'v',
          index: 4,
          size: body.length,
          sha256: sha256Hex(body),
        }),
        body,
      ],
    ]);
    const { body: received } = await pending;
    expect(received.equals(body)).toBe(true);
    const counters = client.counters();
    expect(counters.invalidReplies).toBe(2);
    expect(counters.unknownReplies).toBe(1);
  });

  it('an invalid reply to a pending request fails it with PROTOCOL at once', async () => {
    const pending = client.request(address, { type: 'get', video: 'v', index: 4, fetchUpstream: false });
    await answerNext((id) => [
      [packr.pack({ v: 1, id, type: 'get-ok', video: 'v', index: 4, size: 10, sha256: 'a'.repeat(64) })],
    ]);
    await expect(pending).rejects.toMatchObject({
      code: 'PROTOCOL',
      message: expect.stringContaining(address.split('#')[0]!),
    });
  });

  it('a reply for another chunk fails with PROTOCOL', async () => {
    const pending = client.request(address, { type: 'get', video: 'v', index: 4, fetchUpstream: false });
    const body = Buffer.from('x');
    await answerNext((id) => [
      [
        packr.pack({ v: 1, id, type: 'get-ok', video: 'v', index: 5, size: 1, sha256: sha256Hex(body) }),
        body,
      ],
    ]);
    await expect(pending).rejects.toMatchObject({
      code: 'PROTOCOL',
      message: expect.stringContaining('v#5'),
    });
  });

  it('a reply of another type fails with PROTOCOL', async () => {
    const pending = client.request(address, { type: 'stats' });
    await answerNext((id) => [[packr.pack({ v: 1, id, type: 'bye-ok' })]]);
    await expect(pending).rejects.toMatchObject({ code: 'PROTOCOL' });
  });

  it('an error reply with an unknown code becomes PROTOCOL carrying the remote code', async () => {
    const pending = client.request(address, {
      type: 'register',
      name: 'a',
      address: 'tcp://127.0.0.1:9',
      role: 'child',
      seeding: true,
      chunks: [],
      capacity: { maxInFlight: 1, uploadBytesPerSecond: 0, storeBytes: 0 },
    });
    await answerNext((id) => [
      [packr.pack({ v: 1, id, type: 'error', code: 'NOT_YOUR_MASTER', message: 'go away' })],
    ]);
    await expect(pending).rejects.toMatchObject({
      code: 'PROTOCOL',
      context: { remoteCode: 'NOT_YOUR_MASTER', remoteMessage: 'go away' },
    });
  });

  it('a reply of an unknown version fails the request with PROTOCOL', async () => {
    const pending = client.request(address, { type: 'ping' });
    await answerNext((id) => [[packr.pack({ v: 2, id, type: 'ping-ok', name: 'x', time: 1 })]]);
    await expect(pending).rejects.toMatchObject({ code: 'PROTOCOL' });
  });
});
