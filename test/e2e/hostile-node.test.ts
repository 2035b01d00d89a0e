/**
 * A raw ZeroMQ client throws everything a PeerClient never would at a real node process. Afterwards
 * the node is still up, answers the next valid request, and its store is untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Packr, Unpackr } from 'msgpackr';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { SWARM_TIMEOUT_MS, Swarm, assertBuilt, runCli, statsOf, type NodeProcess } from '../helpers/swarm.js';
import { sourceStore, type SourceStore } from '../helpers/source-store.js';
import { lacks, requires } from '../helpers/requirements.js';
import { curveDealer } from '../helpers/curve-dealer.js';

const noFfmpeg = lacks(requires.ffmpeg);

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false });
const swarm = new Swarm();
let source: SourceStore;
let node: NodeProcess;

beforeAll(async () => {
  assertBuilt();
  source = await sourceStore(swarm, 'movie', 6);
  node = await swarm.start({ name: 'source', store: source.store });
}, SWARM_TIMEOUT_MS);
afterAll(() => swarm.stop());

function request(id: number, fields: Record<string, unknown>): Buffer {
  return packr.pack({ v: 1, id, ...fields });
}

const hostile: Array<[string, Buffer[]]> = [
  ['random bytes', [randomBytes(512)]],
  ['an empty frame', [Buffer.alloc(0)]],
  ['no header, only empty frames', [Buffer.alloc(0), Buffer.alloc(0)]],
  ['msgpack that is not an object', [packr.pack([1, 2, 3])]],
  ['an unknown version', [packr.pack({ v: 99, id: 1, type: 'ping' })]],
  ['an unknown type', [request(2, { type: 'format-disk' })]],
  ['a wrong-typed field', [request(3, { type: 'get', video: 42, index: 0, fetchUpstream: false })]],
  [
    'a traversal name',
    [request(4, { type: 'get', video: '../../etc/passwd', index: 0, fetchUpstream: false })],
  ],
  ['a traversal manifest request', [request(5, { type: 'get-manifest', video: '../../etc/passwd' })]],
  ['a negative index', [request(6, { type: 'get', video: 'movie', index: -7, fetchUpstream: false })]],
  ['a huge index', [request(7, { type: 'get', video: 'movie', index: 2 ** 53, fetchUpstream: false })]],
  ['a fractional index', [request(8, { type: 'get', video: 'movie', index: 1.5, fetchUpstream: false })]],
  ['a string index', [request(9, { type: 'get', video: 'movie', index: '0', fetchUpstream: false })]],
  ['a NaN index', [request(10, { type: 'get', video: 'movie', index: Number.NaN, fetchUpstream: false })]],
  [
    'a register with a bad address',
    [request(11, { type: 'register', name: 'x', address: 'tcp://0.0.0.0:0' })],
  ],
  [
    'a query for a huge count',
    [request(12, { type: 'query', name: 'x', video: 'movie', from: 0, count: 1e6 })],
  ],
  ['extra frames on a ping', [request(13, { type: 'ping' }), randomBytes(64)]],
];

describe.skipIf(noFfmpeg)('hostile messages against a running node', { timeout: SWARM_TIMEOUT_MS }, () => {
  it('answers or drops each one, stays up, and still serves a valid request', async () => {
    const blobsBefore = readdirSync(`${source.store}/blobs`, { recursive: true }).length;
    // It gets in (an open swarm takes any key) but speaks for no one: its routing id proves no key.
    const { dealer } = curveDealer(node.address, node.key, { receiveTimeout: 5_000 });
    try {
      for (const [, frames] of hostile) await dealer.send(frames);
      // libzmq drops a frame beyond the node's maximum message size and closes that connection.
      const { dealer: big } = curveDealer(node.address, node.key);
      await big.send(Buffer.alloc(100 * 1024 * 1024, 1));
      big.close();

      const replies: Array<Record<string, unknown>> = [];
      for (let i = 0; i < hostile.length; i++) {
        try {
          const [header] = await dealer.receive();
          replies.push(unpackr.unpack(header!) as Record<string, unknown>);
        } catch {
          break; // Some are dropped and counted rather than answered.
        }
      }
      expect(replies.length).toBeGreaterThan(hostile.length / 2);
      for (const reply of replies) expect(reply.type === 'error' || reply.type === 'ping-ok').toBe(true);
      expect(replies.some((reply) => reply.code === 'UNSUPPORTED_VERSION')).toBe(true);
      expect(replies.some((reply) => reply.code === 'BAD_REQUEST')).toBe(true);

      await dealer.send(request(100, { type: 'list-videos' }));
      let ok: Record<string, unknown> | undefined;
      for (let i = 0; i < 20 && !ok; i++) {
        const [header] = await dealer.receive();
        const reply = unpackr.unpack(header!) as Record<string, unknown>;
        if (reply.id === 100) ok = reply;
      }
      expect(ok?.type).toBe('list-videos-ok');
      expect((ok?.videos as Array<{ name: string }>).map((video) => video.name)).toEqual(['movie']);
    } finally {
      dealer.close();
    }
    expect(node.alive).toBe(true);
    const stats = await statsOf(node);
    expect(stats.invalidMessages).toBeGreaterThanOrEqual(10);
    expect(readdirSync(`${source.store}/blobs`, { recursive: true }).length).toBe(blobsBefore);
    const played = await runCli(['play', '--from', node.address, 'movie', '-o', `${swarm.dir('out')}/m.mp4`]);
    expect(played.code, played.stderr).toBe(0);
  });
});
