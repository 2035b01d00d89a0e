/**
 * The key ask over UDP, on real sockets: a PeerServer answers on the UDP port of its TCP port (with
 * `--port 0` too), the answer is smaller than the ask, and nothing else it receives (garbage, wrong
 * sizes, floods) gets an answer or stops it.
 */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchServerKey } from '../../core/net/key-fetch.js';
import { ANSWER_BYTES, ASK_BYTES, askDatagram, readAnswer } from '../../core/net/key-datagram.js';
import { parseTcpAddress } from '../../core/protocol/address.js';
import type { PeerServer } from '../../core/net/server.js';
import { startServer } from './helpers.js';
import { waitFor } from '../helpers/wait.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function server(options: Parameters<typeof startServer>[0] = {}): Promise<PeerServer> {
  const started = await startServer(options);
  cleanup.push(() => started.close());
  return started;
}

/** Sends datagrams from one socket and collects what comes back within `ms`. */
async function exchange(port: number, datagrams: Buffer[], ms = 300): Promise<Buffer[]> {
  const socket = createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (datagram) => received.push(datagram));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  for (const datagram of datagrams) socket.send(datagram, port, '127.0.0.1');
  await new Promise((resolve) => setTimeout(resolve, ms));
  socket.close();
  return received;
}

describe('the key ask', () => {
  it("learns a server's key from its bare address, on the port the kernel chose", async () => {
    const peer = await server();
    const { host, port } = parseTcpAddress(peer.address);
    expect(await fetchServerKey(host, port, 1_000)).toBe(peer.keys.publicKey);
    expect(peer.counters().keyAsksAnswered).toBeGreaterThanOrEqual(1);
  });

  it('rejects an address the socket cannot connect to, instead of throwing from the send', async () => {
    // The kernel refuses a UDP connect to the broadcast address (EACCES) as it refuses one to a
    // network without a route (ENETUNREACH, a NATed child's private address): the same path.
    await expect(fetchServerKey('255.255.255.255', 7000, 1_000)).rejects.toThrow(
      /on UDP 255\.255\.255\.255:7000/,
    );
  });

  it('answers with fewer bytes than it was asked with, so it cannot amplify', () => {
    expect(ANSWER_BYTES).toBeLessThan(ASK_BYTES);
    expect(askDatagram()).toHaveLength(ASK_BYTES);
  });

  it('ignores garbage, wrong sizes and an ask with bytes after its magic, and keeps answering', async () => {
    const peer = await server();
    const { port } = parseTcpAddress(peer.address);
    const tampered = askDatagram();
    tampered[ASK_BYTES - 1] = 1;
    const bad = [
      Buffer.alloc(0),
      Buffer.from('hello'),
      askDatagram().subarray(0, ASK_BYTES - 1),
      Buffer.concat([askDatagram(), Buffer.alloc(1)]),
      Buffer.alloc(ASK_BYTES, 0xff),
      Buffer.alloc(1400, 7),
      tampered,
    ];
    expect(await exchange(port, bad)).toEqual([]);
    expect(peer.counters().keyAsksIgnored).toBe(bad.length);
    const [answer] = await exchange(port, [askDatagram()]);
    expect(readAnswer(answer!)).toEqual({ key: peer.keys.publicKey });
  });

  it('answers a flood of asks at its budget only, and still serves requests', async () => {
    const peer = await server();
    const { port } = parseTcpAddress(peer.address);
    const answers = await exchange(port, Array.from({ length: 2_000 }, askDatagram), 500);
    // The budget is 200 a second with a full bucket to start: a burst gets about 200 answers.
    expect(answers.length).toBeLessThanOrEqual(320);
    // Loopback may drop part of such a burst before the responder reads it; what it read past its
    // budget it counted and did not answer.
    await waitFor(() => peer.counters().keyAsksIgnored > 0, 'asks past the budget counted');
    const { host } = parseTcpAddress(peer.address);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await fetchServerKey(host, port, 1_000)).toBe(peer.keys.publicKey);
  });

  it('fails clearly when nothing answers, or an answer is not one', async () => {
    await expect(fetchServerKey('127.0.0.1', 9, 300)).rejects.toThrow(/UDP 127\.0\.0\.1:9/);
    const liar = createSocket('udp4');
    cleanup.push(() => liar.close());
    liar.on('message', (_datagram, from) =>
      liar.send(Buffer.from('PSKEY=1\nnot a key'), from.port, from.address),
    );
    await new Promise<void>((resolve) => liar.bind(0, '127.0.0.1', resolve));
    await expect(fetchServerKey('127.0.0.1', liar.address().port, 300)).rejects.toThrow(/an answer of/);
  });

  it('a server whose UDP port is taken still serves; peers then need the key in the address', async () => {
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(0, '127.0.0.1', resolve));
    cleanup.push(() => squatter.close());
    const peer = await server({ bind: `tcp://127.0.0.1:${squatter.address().port}` }).catch(() => undefined);
    // The TCP port of that number was free, so the server runs, without a key responder.
    if (peer !== undefined) expect(peer.counters().keyAsksAnswered).toBe(0);
  });
});
