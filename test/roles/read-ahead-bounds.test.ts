/**
 * A play stream's read-ahead in virtual time: StreamSessions over a viewer node's fetcher, whose
 * master takes 50 ms per chunk. It reads ahead no more than its window (given in seconds, which the
 * policy turns into chunks of this video), fetches no more than its fetches at once, and lets go of
 * every pin when the stream ends.
 */
import { describe, expect, it } from 'vitest';
import { StreamSessions } from '../../core/node/stream-sessions.js';
import { FetchScenario } from '../helpers/virtual-fetch.js';

/** The window in chunks; the stream is given it in seconds. */
const WINDOW = 6;
const CONCURRENCY = 2;

function streamOver(scenario: FetchScenario): StreamSessions {
  // The synthetic video's chunks are all as long as the first.
  const chunkSeconds = scenario.video.manifest.chunks[0]!.duration;
  return new StreamSessions(scenario.viewer.fetcher, scenario.viewer.store, {
    readAhead: { aheadSeconds: WINDOW * chunkSeconds, fetchesAtOnce: CONCURRENCY },
    idleMs: 5_000,
    clock: scenario.swarm.clock,
  });
}

describe('read-ahead bounds in virtual time', () => {
  it('reads ahead its window and no further, with at most its concurrency in flight', async () => {
    const scenario = new FetchScenario(41, { chunks: 30, masterDelayMs: 50 });
    const sessions = streamOver(scenario);
    const { swarm } = scenario;
    const { chunks } = scenario.video.manifest;
    const first = await swarm.settle(sessions.get('player', 's1', 'movie', 0, chunks), 5_000);
    expect(first.bytes.equals(scenario.video.chunks[0]!)).toBe(true);
    // Left alone, the stream fills its window behind chunk 0 and stops there.
    await swarm.clock.advance(3_000);
    expect(scenario.masterAsked).toBeGreaterThanOrEqual(WINDOW);
    expect(scenario.masterAsked).toBeLessThanOrEqual(1 + WINDOW);
    expect(scenario.masterBusyMost).toBeLessThanOrEqual(CONCURRENCY);
    // Read ahead and not yet handed out: pinned, so eviction cannot take them first.
    expect(scenario.viewer.store.pinnedChunks).toBe(scenario.masterAsked - 1);

    // Played on in order, the window moves with the play position, never past it.
    for (let index = 1; index < 12; index++) {
      const chunk = await swarm.settle(sessions.get('player', 's1', 'movie', index, chunks), 5_000);
      expect(chunk.bytes.equals(scenario.video.chunks[index]!)).toBe(true);
      expect(scenario.masterAsked).toBeLessThanOrEqual(index + 1 + WINDOW);
    }
    expect(scenario.masterBusyMost).toBeLessThanOrEqual(CONCURRENCY);

    expect(sessions.end('player', 's1')).toBe(true);
    // Fetches still on the wire are called off; their pins go as they end.
    await swarm.clock.advance(1_000);
    expect(scenario.viewer.store.pinnedChunks).toBe(0);
    expect(sessions.active).toBe(0);
    sessions.close();
  });

  it('closes a stream whose client went quiet, and releases what it had read ahead', async () => {
    const scenario = new FetchScenario(42, { chunks: 30, masterDelayMs: 50 });
    const sessions = streamOver(scenario);
    const { chunks } = scenario.video.manifest;
    await scenario.swarm.settle(sessions.get('player', 's1', 'movie', 0, chunks), 5_000);
    await scenario.swarm.clock.advance(4_000);
    expect(sessions.active).toBe(1);
    expect(scenario.viewer.store.pinnedChunks).toBeGreaterThan(0);
    await scenario.swarm.until('the idle stream closes', () => sessions.active === 0, 2_500);
    expect(scenario.viewer.store.pinnedChunks).toBe(0);
    sessions.close();
  });
});
