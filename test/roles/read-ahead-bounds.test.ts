/**
 * A play stream's read-ahead in virtual time: StreamSessions over a viewer node's fetcher, whose
 * master takes 50 ms per chunk. It reads ahead no more than its window, fetches no more than its
 * concurrency at once, and lets go of every pin when the stream ends.
 */
import { describe, expect, it } from 'vitest';
import { StreamSessions } from '../../core/node/stream-sessions.js';
import { FetchScenario } from '../helpers/virtual-fetch.js';

const WINDOW = 6;
const CONCURRENCY = 2;

function streamOver(scenario: FetchScenario): StreamSessions {
  return new StreamSessions(scenario.viewer.fetcher, scenario.viewer.store, {
    window: WINDOW,
    concurrency: CONCURRENCY,
    idleMs: 5_000,
    clock: scenario.swarm.clock,
  });
}

describe('read-ahead bounds in virtual time', () => {
  it('reads ahead its window and no further, with at most its concurrency in flight', async () => {
    const scenario = new FetchScenario(41, { chunks: 30, masterDelayMs: 50 });
    const sessions = streamOver(scenario);
    const { swarm } = scenario;
    const first = await swarm.settle(sessions.get('player', 's1', 'movie', 0, 30), 5_000);
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
      const chunk = await swarm.settle(sessions.get('player', 's1', 'movie', index, 30), 5_000);
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
    await scenario.swarm.settle(sessions.get('player', 's1', 'movie', 0, 30), 5_000);
    await scenario.swarm.clock.advance(4_000);
    expect(sessions.active).toBe(1);
    expect(scenario.viewer.store.pinnedChunks).toBeGreaterThan(0);
    await scenario.swarm.until('the idle stream closes', () => sessions.active === 0, 2_500);
    expect(scenario.viewer.store.pinnedChunks).toBe(0);
    sessions.close();
  });
});
