/**
 * The routing id a DEALER sets proves its key to one server: the holder of the key makes it, the
 * server reads the key back, and a claim made with another key (or for another server) proves none.
 * And the ZAP handler's further say by address, for limits on connections.
 */
import { describe, expect, it } from 'vitest';
import { routingIdFor, RoutingIdVerifier, ROUTING_ID_CHARS } from '../../core/net/routing-proof.js';
import { newCurveKeyPair } from '../../core/net/curve-keys.js';
import { PeerServer } from '../../core/net/server.js';
import { PeerClient } from '../../core/net/client.js';
import { PeerStreamerError } from '../../core/util/errors.js';
import { curveDealer } from '../helpers/curve-dealer.js';
import { rawRequest } from '../helpers/floods.js';
import { keyFingerprint, z85Decode, z85Encode, z85KeyProblem } from '../../core/protocol/peer-key.js';

const server = newCurveKeyPair();
const client = newCurveKeyPair();
const attacker = newCurveKeyPair();
const read = (text: string) => new RoutingIdVerifier(server).identify(Buffer.from(text, 'latin1'));

describe('routing-id proofs', () => {
  it('differs for each DEALER, so one node may hold two connections to a server', () => {
    expect(routingIdFor(client, server.publicKey)).not.toBe(routingIdFor(client, server.publicKey));
  });

  it('names the key of the DEALER that made it', () => {
    const id = routingIdFor(client, server.publicKey);
    expect(id).toHaveLength(ROUTING_ID_CHARS);
    expect(read(id).peerKey).toBe(client.publicKey);
    expect(read(id).peerId).not.toContain(client.publicKey);
  });

  it('proves nothing when another key made the claim, or made it for another server', () => {
    const forged = `${client.publicKey}.${routingIdFor(attacker, server.publicKey).slice(41)}`;
    const other = routingIdFor(client, server.publicKey);
    expect(read(`${other.slice(0, 41)}${'0'.repeat(16)}${other.slice(57)}`).peerKey).toBeUndefined();
    expect(read(forged).peerKey).toBeUndefined();
    expect(read(routingIdFor(client, newCurveKeyPair().publicKey)).peerKey).toBeUndefined();
  });

  it('proves nothing for routing ids of any other shape', () => {
    for (const text of [
      '',
      'x',
      client.publicKey,
      `${client.publicKey}.`,
      `${'0'.repeat(40)}.${'0'.repeat(32)}`,
      '\u0000'.repeat(73),
    ]) {
      expect(read(text).peerKey).toBeUndefined();
    }
  });
});

describe('Z85 keys', () => {
  it('round-trips and fingerprints', () => {
    expect(z85Encode(z85Decode(client.publicKey))).toBe(client.publicKey);
    expect(keyFingerprint(client.publicKey)).toMatch(/^[0-9a-f]{8}$/);
  });

  it('names what is wrong with a key', () => {
    expect(z85KeyProblem(42)).toMatch(/must be a string/);
    expect(z85KeyProblem('abc')).toMatch(/40 Z85 characters; this one has 3/);
    expect(z85KeyProblem(`${'a'.repeat(39)}~`)).toMatch(/"~" is not a Z85 character/);
    expect(z85KeyProblem('#'.repeat(40))).toMatch(/out of range/);
    expect(z85KeyProblem(client.publicKey)).toBeNull();
  });
});

describe('the ZAP handler', () => {
  it('asks `admit` by the peer IP after the key, and refuses at the handshake when it says so', async () => {
    const asked: string[] = [];
    let refuse = true;
    const server = new PeerServer({
      bind: 'tcp://127.0.0.1:0',
      name: 'gated',
      admit: (address) => {
        asked.push(address);
        return refuse ? 'too many connections from there' : null;
      },
    });
    await server.bind();
    const client = new PeerClient({ timeoutMs: 500 });
    try {
      await expect(client.request(server.address, { type: 'ping' })).rejects.toMatchObject({
        code: 'UNREACHABLE',
      });
      expect(asked[0]).toBe('127.0.0.1');
      expect(server.counters().handshakesRefused).toBeGreaterThanOrEqual(1);
      refuse = false;
      await client.disconnect(server.address);
      await expect(client.request(server.address, { type: 'ping' })).resolves.toBeDefined();
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('names to handlers the IP a proven key completed its handshake from, and none for an unproven one', async () => {
    const seen: Array<{ key: string | undefined; address: string | undefined }> = [];
    const server = new PeerServer({ bind: 'tcp://127.0.0.1:0', name: 'addressed' });
    server.handle('stats', (_request, peer) => {
      seen.push({ key: peer.peerKey, address: peer.peerAddress });
      throw new PeerStreamerError('INTERNAL', 'only the context matters here');
    });
    await server.bind();
    const proven = curveDealer(server.address, server.keys.publicKey, {
      proveKey: true,
      receiveTimeout: 5_000,
    });
    // The same key pair without its routing-id proof: the handshake lets it in, but it speaks for no key.
    const unproven = curveDealer(server.address, server.keys.publicKey, { receiveTimeout: 5_000 });
    try {
      for (const { dealer } of [proven, unproven]) {
        await dealer.send(rawRequest(1, { type: 'stats' }));
        await dealer.receive();
      }
      expect(seen).toEqual([
        { key: proven.keys.publicKey, address: '127.0.0.1' },
        { key: undefined, address: undefined },
      ]);
    } finally {
      proven.dealer.close();
      unproven.dealer.close();
      await server.close();
    }
  });
});
