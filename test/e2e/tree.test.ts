/**
 * The original README's example topology and the failures a real tree meets: a master killed mid
 * stream, a peer that serves corrupted bytes, and a node restarted under the same name.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import path from 'node:path';
import {
  SWARM_TIMEOUT_MS,
  Swarm,
  assertBuilt,
  playThrough,
  statsOf,
  topologyOf,
  type NodeProcess,
} from '../helpers/swarm.js';
import { sourceStore, type SourceStore } from '../helpers/source-store.js';
import type { WireTopologyNode } from '../../core/protocol/messages.js';
import { PeerClient } from '../../core/net/client.js';
import { lacks, requires } from '../helpers/requirements.js';
import { waitFor } from '../helpers/wait.js';
import { readAheadEnd } from '../../core/shared/read-ahead-policy.js';

const noFfmpeg = lacks(requires.ffmpeg);

let swarm: Swarm;
const fixtures = new Swarm();
let source: SourceStore;

beforeAll(async () => {
  assertBuilt();
  source = await sourceStore(fixtures);
}, SWARM_TIMEOUT_MS);
afterAll(() => fixtures.stop());
afterEach(() => swarm?.stop());

async function play(through: NodeProcess): Promise<Buffer> {
  return (await playThrough(through, 'movie')).bytes;
}

function names(tree: WireTopologyNode): string[] {
  return [tree.name, ...tree.children.flatMap(names)];
}

/** The names `master`'s directory lists as holders of `video`'s chunk `index`. */
async function holdersAt(master: NodeProcess, index: number, video = 'movie'): Promise<string[]> {
  const client = new PeerClient({ timeoutMs: 5_000 });
  try {
    const { reply } = await client.request(master.address, {
      type: 'query',
      name: 'test',
      video,
      from: index,
      count: 1,
    });
    return reply.holders[0]!.map((holder) => holder.name);
  } finally {
    await client.close();
  }
}

/** Waits until `master` lists `child` as a holder of the last chunk: the child stored and reported all. */
async function reportedWhole(master: NodeProcess, child: NodeProcess): Promise<void> {
  const last = source.manifest.chunks.length - 1;
  await waitFor(
    async () => (await holdersAt(master, last)).includes(child.name),
    `${master.name} listing ${child.name}'s chunks`,
  );
}

/**
 * A viewer's output that takes bytes only while open: a paused sink holds the write, so the play
 * client asks for nothing more and the node's read-ahead stops at its window.
 */
function pausableSink(): { out: Writable; bytes: () => Buffer; pause: () => void; resume: () => void } {
  const parts: Buffer[] = [];
  let paused = false;
  let held: (() => void) | undefined;
  const out = new Writable({
    // Every write waits for its callback, so the client's pace is the sink's.
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback) {
      parts.push(chunk);
      if (paused) held = () => callback();
      else callback();
    },
  });
  return {
    out,
    bytes: () => Buffer.concat(parts),
    pause: () => (paused = true),
    resume: () => {
      paused = false;
      held?.();
      held = undefined;
    },
  };
}

describe.skipIf(noFfmpeg)(
  'the README example tree: a source, two level-1 nodes, four level-2 nodes',
  { timeout: SWARM_TIMEOUT_MS },
  () => {
    it('plays byte-identically from a level-2 node, and later viewers fetch mostly from peers', async () => {
      swarm = new Swarm();
      const src = await swarm.start({ name: 'source', store: source.store });
      // Each level starts at once: its nodes need only the level above.
      const [mit, harvard] = await Promise.all([
        swarm.start({ name: 'mit', master: src }),
        swarm.start({ name: 'harvard', master: src }),
      ]);
      const [ben, alyssa, john, lawrence] = await Promise.all([
        swarm.start({ name: 'ben', master: mit, supermaster: src }),
        swarm.start({ name: 'alyssa', master: mit, supermaster: src }),
        swarm.start({ name: 'john', master: harvard, supermaster: src }),
        swarm.start({ name: 'lawrence', master: harvard, supermaster: src }),
      ]);

      const tree = await topologyOf(src);
      expect(names(tree).sort()).toEqual(['alyssa', 'ben', 'harvard', 'john', 'lawrence', 'mit', 'source']);
      expect(
        tree.children
          .find((child) => child.name === 'mit')
          ?.children.map((c) => c.name)
          .sort(),
      ).toEqual(['alyssa', 'ben']);

      expect(await play(ben)).toEqual(source.exported);
      // Each later viewer starts once the earlier one's chunks are in the directories it will ask.
      await reportedWhole(src, mit);
      expect(await play(john)).toEqual(source.exported);
      await reportedWhole(mit, ben);
      expect(await play(alyssa)).toEqual(source.exported);
      await reportedWhole(harvard, john);
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
    });

    it('refuses the README’s copy-paste slips: a port already in use, a store another node holds', async () => {
      swarm = new Swarm();
      const src = await swarm.start({ name: 'source', store: source.store });
      const ben = await swarm.start({ name: 'ben', master: src });
      const samePort = await swarm.start({ name: 'alyssa', master: src, port: ben.port, until: 'spawned' });
      expect(await samePort.waitForExit()).not.toBe(0);
      expect(samePort.output()).toMatch(new RegExp(`port ${ben.port}.*in use`, 'i'));
      const sameStore = await swarm.start({ name: 'john', master: src, store: ben.store, until: 'spawned' });
      expect(await sameStore.waitForExit()).not.toBe(0);
      expect(sameStore.output()).toContain(ben.store);
      expect(ben.alive).toBe(true);
    });
  },
);

describe.skipIf(noFfmpeg)('failures', { timeout: SWARM_TIMEOUT_MS }, () => {
  it('a master killed mid-stream: the stream completes through the supermaster; a restarted master gets the node back', async () => {
    swarm = new Swarm();
    const src = await swarm.start({ name: 'source', store: source.store });
    const mit = await swarm.start({ name: 'mit', master: src });
    // ben reads at most 2 s (two 1 s chunks) ahead of the viewer, so most of the video is still to
    // fetch at the kill.
    const readAheadSeconds = 2;
    const ben = await swarm.start({
      name: 'ben',
      master: mit,
      supermaster: src,
      extra: ['--read-ahead', `${readAheadSeconds}s`, '--fetch-concurrency', '1'],
    });
    const total = source.manifest.chunks.length;
    const pauseAfter = 4;
    const sink = pausableSink();
    let reachedPause: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => (reachedPause = resolve));
    const playing = playThrough(ben, 'movie', {
      inFlight: 1,
      sink,
      onChunk: (index) => {
        if (index === pauseAfter) {
          sink.pause();
          reachedPause();
        }
      },
    });
    playing.catch(() => undefined);
    await paused;
    await mit.kill('SIGKILL');
    sink.resume();
    const { bytes, origins } = await playing;
    expect(bytes).toEqual(source.exported);
    // Before the pause ben streamed from mit. While paused the viewer had asked for chunk pauseAfter+1
    // at most, so ben had fetched no further than its read-ahead window from the chunk after that;
    // every later chunk was fetched after the kill and came from the source, ben's supermaster.
    expect(origins.slice(0, pauseAfter + 1)).toEqual(Array(pauseAfter + 1).fill('master'));
    const afterKill = readAheadEnd(source.manifest.chunks, pauseAfter + 2, readAheadSeconds);
    expect(afterKill).toBeLessThan(total - 5);
    expect(origins.slice(afterKill)).toEqual(Array(total - afterKill).fill('source'));
    expect((await statsOf(ben)).currentMaster).toBe(src.address);

    await swarm.restart(mit);
    await waitFor(async () => (await statsOf(ben)).currentMaster === mit.address, 'ben back with mit');
    const mitChildren = (await topologyOf(mit)).children.map((child) => child.name);
    expect(mitChildren).toEqual(['ben']);
  });

  it('a peer whose stored chunks went bad: it never serves them, and the viewer fetches them elsewhere', async () => {
    swarm = new Swarm();
    const src = await swarm.start({ name: 'source', store: source.store });
    const alice = await swarm.start({ name: 'alice', master: src });
    await play(alice);
    // Chunks are stored just after they are handed out: wait until all are on disk and reported.
    await reportedWhole(src, alice);
    await alice.kill('SIGKILL');
    // Flip bytes inside every chunk file alice holds, keeping sizes: reconcile on open checks sizes
    // only, and her first read of each chunk after the open hashes it (and drops it).
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
    // No bad byte ever reached bob: alice answered "not held" for what she dropped.
    const stats = await statsOf(bob);
    expect(stats.invalidMessages).toBe(0);
    expect(restarted.alive).toBe(true);
  });

  // How soon is the registry's promise (dead-after 2.5 s, swept every 250 ms), checked on a fake clock in
  // test/node/dead-child.test.ts; here the real processes show that a SIGKILLed child does leave.
  it('a child that dies leaves the chunk directory', async () => {
    swarm = new Swarm();
    const src = await swarm.start({ name: 'source', store: source.store });
    const alice = await swarm.start({ name: 'alice', master: src });
    const client = new PeerClient({ timeoutMs: 5_000 });
    try {
      const listed = async (): Promise<boolean> =>
        names((await client.request(src.address, { type: 'topology' })).reply.tree).includes('alice');
      expect(await listed()).toBe(true);
      await alice.kill('SIGKILL');
      await waitFor(async () => !(await listed()), 'alice gone');
    } finally {
      await client.close();
    }
  });
});
