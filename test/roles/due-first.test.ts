/**
 * A node sending under its upload limit sends what its askers need soonest first (`get`'s dueInMs):
 * a newcomer's first chunk goes before a sibling's read-ahead that was asked for earlier, through a
 * relaying master too. First come, first served, the newcomer waited behind all of it (the
 * simulator in a join wave: from registered to first chunk p95 2.1 s).
 */
import { describe, expect, it } from 'vitest';
import { syntheticVideo } from '../../core/sim/synthetic-video.js';
import { VirtualSwarm } from '../../core/sim/virtual-swarm.js';
import { publish } from '../helpers/virtual-tree.js';

const CHUNK_BYTES = 20_000;
/** Five chunks a second: ten queued take 2 s, within a master's timeout. */
const UPLOAD_LIMIT = 100_000;

async function treeWithBusyMaster(readAheadDue: (index: number) => number | undefined) {
  const swarm = new VirtualSwarm(72, { defaultLink: { latencyMs: 5 } });
  const video = syntheticVideo('movie', 12, CHUNK_BYTES, swarm.random);
  await publish(swarm.node('source', { uploadLimit: UPLOAD_LIMIT }), video);
  const reader = swarm.node('reader', { master: 'source' });
  const newcomer = swarm.node('newcomer', { master: 'source' });
  await swarm.until(
    'both placed',
    () => reader.link!.current() !== null && newcomer.link!.current() !== null,
    5_000,
  );
  await swarm.settle(newcomer.fetcher.manifest('movie'), 5_000);
  await swarm.settle(reader.fetcher.manifest('movie'), 5_000);
  // The reader asks for ten chunks ahead at once; the newcomer for its first a moment later.
  const readAhead = Array.from({ length: 10 }, (_, offset) => {
    const index = offset + 2;
    const dueInMs = readAheadDue(index);
    return reader.fetcher.fetch('movie', index, undefined, dueInMs === undefined ? {} : { dueInMs });
  });
  await swarm.clock.advance(20);
  const asked = swarm.clock.now();
  const first = await swarm.settle(newcomer.fetcher.fetch('movie', 0, undefined, { dueInMs: 0 }), 20_000);
  const waited = swarm.clock.now() - asked;
  await swarm.settle(Promise.all(readAhead), 20_000);
  return { video, first, waited };
}

describe('sends under an upload limit, soonest due first', () => {
  it("sends a newcomer's first chunk before a sibling's read-ahead asked earlier", async () => {
    const { video, first, waited } = await treeWithBusyMaster((index) => (index - 1) * 2_000);
    expect(first.bytes.equals(video.chunks[0]!)).toBe(true);
    // A fifth of a second a chunk: it waits for the one being paid for and its own, not the ten.
    expect(waited).toBeLessThan(600);
  });

  it('sends first come, first served when nobody says (as older nodes do)', async () => {
    const { waited } = await treeWithBusyMaster(() => undefined);
    // Behind the reader's ten chunks at a fifth of a second each (less the bucket's quarter second).
    expect(waited).toBeGreaterThan(1_500);
  });
});
