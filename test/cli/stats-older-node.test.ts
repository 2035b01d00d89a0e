/**
 * `peerstreamer stats --from` against a node older than some of the counters it prints: the stats
 * map is opaque to the protocol and readers must treat every key as optional, so a missing one is
 * shown as "-" rather than crashing the command. The older node is a real ROUTER answering `stats`
 * with what such a node sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerServer } from '../../core/net/server.js';
import { runCli } from './cli-helpers.js';

/** A node's stats from before the library prefetch (and before masterName and childCount). */
const OLDER_STATS = {
  name: 'elder',
  role: 'source',
  address: 'tcp://127.0.0.1:7000',
  uptimeSeconds: 61,
  seeding: true,
  bytesServed: 2048,
  bytesFetched: { local: 0, peer: 0, master: 0, source: 0 },
  chunksFetched: { local: 0, peer: 0, master: 0, source: 0 },
  chunksHeld: 3,
  bytesHeld: 4096,
  capacityBytes: null,
  streamsActive: 0,
  invalidMessages: 0,
  peers: [],
  currentMaster: null,
};

let elder: PeerServer;
let address: string;

beforeAll(async () => {
  elder = new PeerServer({ bind: 'tcp://127.0.0.1:0', name: 'elder' });
  elder.handle('stats', () => ({ reply: { stats: { ...OLDER_STATS } } }));
  address = await elder.bind();
});
afterAll(() => elder.close());

describe('stats --from an older node', () => {
  it('prints its counters, with a dash for the library prefetch it does not report', async () => {
    const result = await runCli(['stats', '--from', address]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^elder \(source\) at tcp:\/\/127\.0\.0\.1:7000, up 1:01\n/);
    expect(result.stdout).toMatch(/^library start: {2}-$/m);
    expect(result.stdout).toMatch(/^publisher: {6}-$/m);
    expect(result.stdout).toMatch(/^reachability: {3}-$/m);
    expect(result.stdout).toMatch(/^held: {11}3 chunks, 4\.0 KiB$/m);
  });

  it('passes the counters on as they came with --json', async () => {
    const result = await runCli(['stats', '--from', address, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(OLDER_STATS);
  });
});
