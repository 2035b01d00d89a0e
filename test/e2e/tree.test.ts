/**
 * The original README's example topology and the failures a real tree meets: a master killed mid
 * stream, a peer that serves corrupted bytes, and a node restarted under the same name.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  Swarm,
  assertBuilt,
  runCli,
  statsOf,
  topologyOf,
  waitFor,
  type NodeProcess,
} from '../helpers/swarm.js';
import { sourceStore, type SourceStore } from '../helpers/sample-video.js';
import type { TopologyNode } from '../../core/protocol/messages.js';
import { PeerClient } from '../../core/net/client.js';
import { lacks, requires } from '../helpers/requirements.js';

const noFfmpeg = lacks(requires.ffmpeg);

let swarm: Swarm;
const fixtures = new Swarm();
let source: SourceStore;

beforeAll(async () => {
  assertBuilt();
  source = await sourceStore(fixtures);
});
afterAll(() => fixtures.stop());
afterEach(() => swarm?.stop());

async function play(through: NodeProcess, extra: string[] = []): Promise<Buffer> {
  const out = path.join(swarm.dir('play'), 'movie.mp4');
  const result = await runCli(['play', '--from', through.address, 'movie', '-o', out, ...extra]);
  if (result.code !== 0) throw new Error(`play through ${through.name} failed: ${result.stderr}`);
  return readFileSync(out);
}

function names(tree: TopologyNode): string[] {
  return [tree.name, ...tree.children.flatMap(names)];
}

describe.skipIf(noFfmpeg)('the README example tree: a source, two level-1 nodes, four level-2 nodes', () => {
  it('plays byte-identically from a level-2 node, and later viewers fetch mostly from peers', async () => {
    swarm = new Swarm();
    const src = await swarm.start({ name: 'source', store: source.store });
    const mit = await swarm.start({ name: 'mit', master: src });
    const harvard = await swarm.start({ name: 'harvard', master: src });
    const ben = await swarm.start({ name: 'ben', master: mit, supermaster: src });
    const alyssa = await swarm.start({ name: 'alyssa', master: mit, supermaster: src });
    const john = await swarm.start({ name: 'john', master: harvard, supermaster: src });
    const lawrence = await swarm.start({ name: 'lawrence', master: harvard, supermaster: src });

    const tree = await topologyOf(src);
    expect(names(tree).sort()).toEqual(['alyssa', 'ben', 'harvard', 'john', 'lawrence', 'mit', 'source']);
    expect(
      tree.children
        .find((child) => child.name === 'mit')
        ?.children.map((c) => c.name)
        .sort(),
    ).toEqual(['alyssa', 'ben']);

    expect(await play(ben)).toEqual(source.exported);
    expect(await play(john)).toEqual(source.exported);
    await waitFor(async () => (await statsOf(alyssa)).role === 'child', 'alyssa up');
    expect(await play(alyssa)).toEqual(source.exported);
    expect(await play(lawrence)).toEqual(source.exported);

    const total = source.exported.length;
    for (const later of [alyssa, lawrence]) {
      const stats = await statsOf(later);
      expect(stats.bytesFetched.peer, `${later.name} from peers`).toBeGreaterThan(total * 0.8);
    }
    // The source sent each chunk at most about once per level-1 node.
    const sent = (await statsOf(src)).bytesServed;
    expect(sent).toBeLessThanOrEqual(total * 2 + 1);
    // harvard found mit's chunks among its own peers rather than asking the source again.
    expect((await statsOf(harvard)).bytesFetched.peer).toBeGreaterThan(0);
  }, 180_000);

  it('refuses the README’s copy-paste slips: a port already in use, a store another node holds', async () => {
    swarm = new Swarm();
    const src = await swarm.start({ name: 'source', store: source.store });
    const ben = await swarm.start({ name: 'ben', master: src });
    const samePort = await swarm.start({ name: 'alyssa', master: src, port: ben.port, readyLog: null });
    expect(await samePort.waitForExit()).not.toBe(0);
    expect(samePort.logs.join('\n')).toMatch(new RegExp(`port ${ben.port}.*in use|in use.*${ben.port}`, 'i'));
    const sameStore = await swarm.start({ name: 'john', master: src, store: ben.store, readyLog: null });
    expect(await sameStore.waitForExit()).not.toBe(0);
    expect(sameStore.logs.join('\n')).toContain(ben.store);
    expect(ben.alive).toBe(true);
  });
});

describe.skipIf(noFfmpeg)('failures', () => {
  it('a master killed mid-stream: the stream completes through the supermaster; a restarted master gets the node back', async () => {
    swarm = new Swarm();
    const src = await swarm.start({ name: 'source', store: source.store });
    const mit = await swarm.start({ name: 'mit', master: src });
    const ben = await swarm.start({ name: 'ben', master: mit, supermaster: src });
    const out = path.join(swarm.dir('play'), 'movie.mp4');
    const playing = runCli(['play', '--from', ben.address, 'movie', '-o', out, '--in-flight', '1']);
    await waitFor(async () => (await statsOf(ben)).chunksHeld >= 3, 'ben mid-stream');
    await mit.kill('SIGKILL');
    const result = await playing;
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(out)).toEqual(source.exported);
    expect((await statsOf(ben)).currentMaster).toBe(src.address);

    await swarm.restart(mit);
    await waitFor(
      async () => (await statsOf(ben)).currentMaster === mit.address,
      'ben back with mit',
      15_000,
    );
    const mitChildren = (await topologyOf(mit)).children.map((child) => child.name);
    expect(mitChildren).toEqual(['ben']);
  });

  it('a corrupting peer: bad bytes are detected, fetched elsewhere, and counted against the peer', async () => {
    swarm = new Swarm();
    const src = await swarm.start({ name: 'source', store: source.store });
    const alice = await swarm.start({ name: 'alice', master: src });
    await play(alice);
    await alice.kill('SIGKILL');
    // Flip bytes inside every chunk file alice holds, keeping sizes: reads check sizes, not hashes.
    const blobs = path.join(alice.store, 'blobs');
    let corrupted = 0;
    for (const fan of readdirSync(blobs)) {
      for (const file of readdirSync(path.join(blobs, fan))) {
        const full = path.join(blobs, fan, file);
        if (!statSync(full).isFile()) continue;
        const bytes = readFileSync(full);
        const middle = Math.floor(bytes.length / 2);
        bytes[middle] = bytes[middle]! ^ 0xff;
        writeFileSync(full, bytes);
        corrupted += 1;
      }
    }
    expect(corrupted).toBeGreaterThan(5);
    const restarted = await swarm.restart(alice);
    const bob = await swarm.start({ name: 'bob', master: src });
    expect(await play(bob)).toEqual(source.exported);
    const stats = await statsOf(bob);
    expect(stats.peers.find((peer) => peer.name === 'alice')?.failures).toBeGreaterThanOrEqual(1);
    expect(stats.invalidMessages).toBeGreaterThanOrEqual(1);
    expect(restarted.alive).toBe(true);
  });

  it('a child that dies leaves the chunk directory within 3 s', async () => {
    swarm = new Swarm();
    const src = await swarm.start({ name: 'source', store: source.store });
    const alice = await swarm.start({ name: 'alice', master: src });
    // Asked in-process, so the poll itself adds milliseconds, not a CLI start-up.
    const client = new PeerClient({ timeoutMs: 2_000 });
    try {
      const listed = async (): Promise<boolean> =>
        names((await client.request(src.address, { type: 'topology' })).reply.tree).includes('alice');
      expect(await listed()).toBe(true);
      await alice.kill('SIGKILL');
      const killedAt = Date.now();
      await waitFor(async () => !(await listed()), 'alice gone', 5_000);
      expect(Date.now() - killedAt).toBeLessThan(3_000);
    } finally {
      await client.close();
    }
  });
});
