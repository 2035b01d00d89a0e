/**
 * ConnectionGate: the policy a ZAP handler asks before a handshake completes (the CURVE branch's
 * handler calls it after its key check). Its count of open connections follows a real ROUTER's
 * events; a ZAP handler on real sockets shows libzmq refusing the handshakes it turns down.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as zmq from 'zeromq';
import { Packr, Unpackr } from 'msgpackr';
import { ConnectionGate } from '../../core/net/connection-gate.js';
import { PeerClient } from '../../core/net/client.js';
import { newCurveKeyPair } from '../../core/net/curve-keys.js';
import { rawDealer, receiveFor, startServer } from './helpers.js';
import { waitFor } from '../helpers/wait.js';

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false });
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('ConnectionGate', () => {
  it('refuses past the open connections it takes, and again takes one once another closed', () => {
    const gate = new ConnectionGate({ maxConnections: 2 });
    gate.opened();
    gate.opened();
    expect(gate.admit('192.0.2.1', 0)).toMatch(/2 connections open, as many as it takes/);
    gate.closed();
    expect(gate.admit('192.0.2.1', 0)).toBeNull();
    expect(gate.counters).toEqual({ open: 1, refusedFull: 1, refusedRate: 0 });
  });

  it('refuses an address opening more per second than its rate, not the others', () => {
    const gate = new ConnectionGate({ handshakesPerSecondPerAddress: 2 });
    expect(gate.admit('192.0.2.1', 0)).toBeNull();
    expect(gate.admit('192.0.2.1', 0)).toBeNull();
    expect(gate.admit('192.0.2.1', 0)).toMatch(/more than 2 new connections per second from 192\.0\.2\.1/);
    expect(gate.admit('192.0.2.2', 0)).toBeNull();
    // Half a second later one more is allowed.
    expect(gate.admit('192.0.2.1', 500)).toBeNull();
    expect(gate.counters.refusedRate).toBe(1);
  });

  it('forgets the stalest address past the ones it tracks', () => {
    const gate = new ConnectionGate({ handshakesPerSecondPerAddress: 1, maxTrackedAddresses: 2 });
    expect(gate.admit('a', 0)).toBeNull();
    expect(gate.admit('b', 0)).toBeNull();
    expect(gate.admit('c', 0)).toBeNull();
    // "a" was forgotten, so it starts with a fresh second's worth.
    expect(gate.admit('a', 0)).toBeNull();
  });

  it('does not rate loopback by default: a local swarm, its CLI and its player connect at once', () => {
    const gate = new ConnectionGate({ handshakesPerSecondPerAddress: 1 });
    for (let n = 0; n < 20; n++) expect(gate.admit('127.0.0.1', 0)).toBeNull();
    expect(gate.admit('::1', 0)).toBeNull();
    expect(gate.admit('192.0.2.1', 0)).toBeNull();
    expect(gate.admit('192.0.2.1', 0)).toMatch(/more than 1 new connections per second/);
  });

  it("counts a real ROUTER's connections as they open and close", async () => {
    const server = await startServer();
    cleanup.push(() => server.close());
    const dealers = [1, 2, 3].map(() => rawDealer(server));
    for (const dealer of dealers) cleanup.push(() => dealer.close());
    await waitFor(() => server.counters().connectionsOpen === 3, 'three connections counted');
    dealers[0]!.close();
    await waitFor(() => server.counters().connectionsOpen === 2, 'a closed one uncounted');
  });

  it('a ZAP handler that asks it makes libzmq refuse the handshake it turns down', async () => {
    // A context of its own: one ZAP endpoint per context, as each PeerServer will have.
    const context = new zmq.Context();
    const gate = new ConnectionGate({ handshakesPerSecondPerAddress: 1, rateLoopback: true });
    const zap = new zmq.Router({ context, linger: 0 });
    await zap.bind('inproc://zeromq.zap.01');
    cleanup.push(() => zap.close());
    const addresses: string[] = [];
    void (async () => {
      for await (const [id, empty, version, requestId, , address] of zap) {
        addresses.push(String(address));
        const refusal = gate.admit(String(address), 0);
        await zap.send([id!, empty!, version!, requestId!, refusal ? '400' : '200', refusal ?? 'OK', '', '']);
      }
    })().catch(() => undefined);
    const router = new zmq.Router({ context, linger: 0, zapDomain: 'peerstreamer' });
    await router.bind('tcp://127.0.0.1:*');
    cleanup.push(() => router.close());

    const ping = packr.pack({ v: 1, id: 1, type: 'ping' });
    const first = plainDealer(router.lastEndpoint!);
    cleanup.push(() => first.close());
    await first.send(ping);
    const delivered = await router.receive();
    expect(unpackr.unpack(delivered[1]!)).toMatchObject({ type: 'ping' });
    // Only now, so its handshake is the second from this address.
    const second = plainDealer(router.lastEndpoint!);
    cleanup.push(() => second.close());
    await second.send(ping);
    await waitFor(() => gate.counters.refusedRate >= 1, 'the second handshake refused');
    expect(addresses.slice(0, 2)).toEqual(['127.0.0.1', '127.0.0.1']);
    // Refused at the handshake, its message never reaches the ROUTER.
    router.receiveTimeout = 300;
    await expect(router.receive()).rejects.toMatchObject({ code: 'EAGAIN' });
    expect(await receiveFor(second, 100)).toEqual([]);
  });

  it('tells a client it was turned away (running, but too many new connections), not that nothing listens', async () => {
    const server = await startServer({
      connectionGate: new ConnectionGate({ handshakesPerSecondPerAddress: 1, rateLoopback: true }),
    });
    cleanup.push(() => server.close());
    server.handle('ping', () => ({ reply: { name: 'server', time: 0 } }));
    const address = `${server.address}#${server.keys.publicKey}`;
    const first = new PeerClient();
    cleanup.push(() => first.close());
    await expect(first.request(address, { type: 'ping' })).resolves.toBeDefined();
    // A second client is a second connection from the same address within the second.
    const second = new PeerClient();
    cleanup.push(() => second.close());
    await expect(second.request(address, { type: 'ping' }, { timeoutMs: 30_000 })).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringMatching(/turned the connection away for ping in its handshake: too many new/),
    });
    // The first client's one connection goes on being answered.
    await expect(first.request(address, { type: 'ping' })).resolves.toBeDefined();
  });

  it('says the same to a client whose key is not on the allow list, naming that too', async () => {
    const server = await startServer({ allow: new Set([newCurveKeyPair().publicKey]) });
    cleanup.push(() => server.close());
    server.handle('ping', () => ({ reply: { name: 'server', time: 0 } }));
    const client = new PeerClient();
    cleanup.push(() => client.close());
    await expect(
      client.request(`${server.address}#${server.keys.publicKey}`, { type: 'ping' }, { timeoutMs: 30_000 }),
    ).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringMatching(/turned the connection away for ping .*not on its allow list/),
    });
  });
});

/** A DEALER without CURVE, for the plain ROUTER this file sets up with a ZAP handler of its own. */
function plainDealer(address: string): zmq.Dealer {
  const dealer = new zmq.Dealer({ linger: 0 });
  dealer.connect(address);
  return dealer;
}
