/**
 * A viewer fetching chunks through siblings and its master, in virtual time: what it does with a
 * peer that never answers, one that corrupts, one that claims chunks it does not hold, and how it
 * spreads load over good holders. Output is checked byte for byte against the video.
 */
import { describe, expect, it } from 'vitest';
import { FetchScenario } from '../helpers/virtual-fetch.js';

/** Byte for byte (toEqual walks a Buffer element by element, which takes seconds for a video). */
function sameBytes(actual: readonly (Buffer | undefined)[], expected: readonly Buffer[]): boolean {
  return (
    actual.length === expected.length &&
    actual.every((bytes, index) => bytes?.equals(expected[index]!) === true)
  );
}

describe('fetching in virtual time', () => {
  it('asks the master too when a peer has not answered within the hedge, and gets the chunk from it', async () => {
    const scenario = new FetchScenario(21, { chunks: 4 });
    const silent = scenario.peer('mute', 'silent');
    const { bytes, ms } = await scenario.playAll();
    expect(sameBytes(bytes, scenario.video.chunks)).toBe(true);
    // The first chunk asks the master too once the hedge (300 ms) passes, not after a whole peer
    // timeout (1.5 s): a query round trip first, the hedge, a get round trip last, 20 ms each way.
    expect(ms[0]).toBe(2 * 20 + 300 + 2 * 20);
    expect(silent.asked).toBeGreaterThanOrEqual(1);
    // Once it has failed three times it is avoided: the last chunks go to the master at once.
    expect(silent.asked).toBeLessThanOrEqual(3);
    expect(ms.at(-1)).toBeLessThan(100);
    expect(scenario.masterFailures).toEqual([]);
    expect(scenario.counters.byOrigin).toEqual({ master: 4 * 64 * 1024 });
  });

  it('detects a corrupting peer, avoids it, and plays byte-identical output', async () => {
    const scenario = new FetchScenario(22, { chunks: 12 });
    const corrupt = scenario.peer('mallory', 'corrupt');
    const honest = scenario.peer('alice', 'honest');
    const { bytes } = await scenario.playAll();
    expect(sameBytes(bytes, scenario.video.chunks)).toBe(true);
    expect(scenario.counters.corruptChunks).toBe(corrupt.asked);
    expect(corrupt.asked).toBeGreaterThanOrEqual(1);
    // Dropped from the cached holder lists and banned at its first bad chunk (smart-ban).
    expect(corrupt.asked).toBe(1);
    // Every chunk from alice: the one mallory spoiled was asked of her next.
    expect(honest.asked).toBe(12);
    expect(scenario.viewer.health.avoided(corrupt.address)).toBe(true);
    // What the viewer stored is what the source cut: nothing corrupt was kept.
    const stored = await Promise.all(
      scenario.video.chunks.map((_, index) => scenario.viewer.store.getChunk('movie', index)),
    );
    expect(sameBytes(stored, scenario.video.chunks)).toBe(true);
  });

  it('plays past three silent holders in at most 1.5x the time of a clean run, the first chunk within 1 s', async () => {
    // Two minutes of video in 2 s chunks, read one at a time (a player keeps several in flight,
    // which only hides more of the holders' silence).
    const clean = new FetchScenario(26, { chunks: 60 });
    const cleanRun = await clean.playAll();
    const attacked = new FetchScenario(26, { chunks: 60 });
    const mutes = ['m1', 'm2', 'm3'].map((name) => attacked.peer(name, 'silent'));
    const { bytes, ms } = await attacked.playAll();
    expect(sameBytes(bytes, attacked.video.chunks)).toBe(true);
    const total = (times: number[]): number => times.reduce((sum, time) => sum + time, 0);
    expect(ms[0]).toBeLessThan(1_000);
    expect(total(ms) / total(cleanRun.ms)).toBeLessThanOrEqual(1.5);
    // Each costs one hedge: not asked again while it owes an answer, then banned at its timeout.
    for (const mute of mutes) {
      expect(mute.asked).toBe(1);
      expect(attacked.viewer.health.get(mute.address)!.offences).toBe(1);
      expect(attacked.viewer.health.avoided(mute.address)).toBe(true);
    }
  });

  it('gets every chunk when a child claims chunks it does not hold', async () => {
    const scenario = new FetchScenario(23, { chunks: 8 });
    const liar = scenario.peer('claims', 'claims-without-holding');
    const { bytes } = await scenario.playAll();
    expect(sameBytes(bytes, scenario.video.chunks)).toBe(true);
    expect(liar.asked).toBeLessThanOrEqual(3);
    expect(scenario.masterAsked).toBe(8);
    expect(scenario.counters.corruptChunks).toBe(0);
  });

  it('spreads load over equally good holders, and puts one that just failed last', async () => {
    const scenario = new FetchScenario(24, { chunks: 24 });
    const peers = ['a', 'b', 'c'].map((name) => scenario.peer(name, 'honest'));
    const { bytes } = await scenario.playAll();
    expect(sameBytes(bytes, scenario.video.chunks)).toBe(true);
    for (const peer of peers) expect(peer.asked).toBeGreaterThanOrEqual(4);
    expect(scenario.masterAsked).toBe(0);

    // One of them fails once (crashed, so it times out): the next chunks go to the other two.
    const again = new FetchScenario(24, { chunks: 6 });
    const [flaky, ...steady] = ['x', 'y', 'z'].map((name) => again.peer(name, 'honest'));
    again.viewer.health.failed(flaky!.address);
    await again.playAll();
    expect(flaky!.asked).toBe(0);
    expect(steady[0]!.asked + steady[1]!.asked).toBe(6);
  });

  it('is repeatable: the same seed asks the same peers in the same order', async () => {
    async function run(): Promise<number[]> {
      const scenario = new FetchScenario(25, { chunks: 10 });
      const peers = ['p', 'q', 'r', 's'].map((name) =>
        scenario.peer(name, name === 'q' ? 'corrupt' : 'honest'),
      );
      const { ms } = await scenario.playAll();
      return [...peers.map((peer) => peer.asked), ...ms];
    }
    expect(await run()).toEqual(await run());
  });
});
