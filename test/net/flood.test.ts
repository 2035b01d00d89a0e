import { Packr, Unpackr } from 'msgpackr';
import { afterEach, describe, expect, it } from 'vitest';
import { PeerClient } from '../../core/net/client.js';
import type { PeerServer } from '../../core/net/server.js';
import { sha256Hex } from '../../core/util/hash.js';
import { deferred, peerIdFor, rawDealer, receiveFor, startServer } from './helpers.js';
import { waitFor } from '../helpers/wait.js';

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false });
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('a peer flooding requests', () => {
  it('gets OVERLOADED beyond its cap while another peer is still served promptly', async () => {
    const CAP = 8;
    const server: PeerServer = await startServer({ maxInFlightPerPeer: CAP, errorRepliesPerSecond: 100 });
    cleanup.push(() => server.close());
    const flooderId = peerIdFor('flooder');
    // The flooder's first CAP requests stay in their handlers until the test has seen the whole flood.
    const release = deferred();
    cleanup.push(() => release.resolve());
    server.handle('get', async (request, peer) => {
      if (peer.peerId === flooderId) await release.promise;
      const body = Buffer.from('x');
      return {
        reply: { video: request.video, index: request.index, size: 1, sha256: sha256Hex(body) },
        body,
      };
    });

    const flooder = rawDealer(server, 'flooder');
    cleanup.push(() => flooder.close());
    const SENT = 400;
    for (let id = 1; id <= SENT; id++) {
      await flooder.send(packr.pack({ v: 1, id, type: 'get', video: 'v', index: id, fetchUpstream: false }));
    }
    await waitFor(() => server.peer(flooderId)?.messages === SENT, 'every flood message counted');

    // Another peer is served while every one of the flooder's slots is still taken.
    const client = new PeerClient();
    cleanup.push(() => client.close());
    const { reply } = await client.request(server.address, {
      type: 'get',
      video: 'v',
      index: 1,
      fetchUpstream: false,
    });
    expect(reply.index).toBe(1);

    // OVERLOADED replies beyond the per-peer budget are not sent, only counted; so are any refused
    // by libzmq because the flooder's reply queue was full (ZMQ_SNDHWM).
    release.resolve();
    const { throttledReplies, sendDropped } = server.counters();
    const received = receiveFor(flooder, 30_000, CAP + (SENT - CAP - throttledReplies - sendDropped));
    const replies = (await received).map((frames) => unpackr.unpack(frames[0]!) as Record<string, unknown>);
    const ok = replies.filter((r) => r.type === 'get-ok');
    const overloaded = replies.filter((r) => r.type === 'error' && r.code === 'OVERLOADED');
    expect(ok.length).toBe(CAP);
    expect(overloaded.length).toBeGreaterThan(0);
    expect(overloaded[0]).toMatchObject({ retryAfterMs: 100 });
    const counters = server.counters();
    expect(counters.overloadedReplies).toBe(SENT - CAP);
    expect(overloaded.length + counters.throttledReplies + counters.sendDropped).toBe(SENT - CAP);
    const flooderStats = server.peer(peerIdFor('flooder'))!;
    expect(flooderStats.overloaded).toBe(SENT - CAP);
    expect(flooderStats.messages).toBe(SENT);
  });

  it('a well-behaved client queues locally instead of overloading the server', async () => {
    const server = await startServer({ maxInFlightPerPeer: 4 });
    cleanup.push(() => server.close());
    server.handle('stats', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { reply: { stats: {} } };
    });
    const client = new PeerClient({ maxInFlightPerRemote: 4 });
    cleanup.push(() => client.close());
    await Promise.all(Array.from({ length: 100 }, () => client.request(server.address, { type: 'stats' })));
    expect(server.counters().overloadedReplies).toBe(0);
  });
});

describe('a peer sending more bytes per second than its budget', () => {
  it('gets OVERLOADED with the wait, unread by the handler, counted; another peer is served', async () => {
    const server: PeerServer = await startServer({ maxBytesPerSecondPerPeer: 4096 });
    cleanup.push(() => server.close());
    const reports: string[] = [];
    server.handle('report', (request) => {
      reports.push(request.name);
      return { reply: {} };
    });
    // About 5 KB each: the first is taken from the full 4 KiB budget (leaving it in debt), the second
    // must wait until it refills.
    const report = (id: number, name: string): Buffer =>
      packr.pack({
        v: 1,
        id,
        type: 'report',
        name,
        added: [{ video: 'v', indexes: Array.from({ length: 1000 }, (_, i) => 1_000_000 + i) }],
        removed: [],
      });
    const hog = rawDealer(server, 'hog');
    cleanup.push(() => hog.close());
    await hog.send(report(1, 'hog'));
    await hog.send(report(2, 'hog'));
    const replies = (await receiveFor(hog, 30_000, 2)).map(
      (frames) => unpackr.unpack(frames[0]!) as Record<string, unknown>,
    );
    expect(replies.find((reply) => reply.id === 1)).toMatchObject({ type: 'report-ok' });
    const refused = replies.find((reply) => reply.id === 2)!;
    expect(refused).toMatchObject({ type: 'error', code: 'OVERLOADED' });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(String(refused.message)).toContain('4096 bytes per second');
    expect(reports).toEqual(['hog']);
    expect(server.counters().rateLimited).toBe(1);
    expect(server.peer(peerIdFor('hog'))?.rateLimited).toBe(1);

    // Budgets are per connection: another peer is served at once.
    const other = rawDealer(server, 'other');
    cleanup.push(() => other.close());
    await other.send(report(3, 'other'));
    const [answer] = await receiveFor(other, 30_000, 1);
    expect(unpackr.unpack(answer![0]!)).toMatchObject({ id: 3, type: 'report-ok' });
  });
});
