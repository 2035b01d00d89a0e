import { describe, expect, it } from 'vitest';
import {
  NODE_READ_AHEAD,
  PLAYER_READ_AHEAD,
  UNTIMED_CHUNK_SECONDS,
  dueInMs,
  fetchesAtOnce,
  readAheadEnd,
  readAheadPolicy,
} from '../../core/shared/read-ahead-policy.js';
import { windowedLive } from '../helpers/windowed-live.js';

/** Chunks starting at 0, 2, 4.5, 8 and 9 s (lengths 2, 2.5, 3.5, 1 and whatever the last is). */
const chunks = [0, 2, 4.5, 8, 9].map((start, index) => ({ index, start }));

describe('readAheadEnd: a window in seconds as chunks', () => {
  it('from a chunk: it and every later chunk starting less than the window after it', () => {
    expect(readAheadEnd(chunks, 0, 4.5)).toBe(2);
    expect(readAheadEnd(chunks, 0, 4.6)).toBe(3);
    expect(readAheadEnd(chunks, 1, 6)).toBe(3);
    expect(readAheadEnd(chunks, 1, 6.01)).toBe(4);
    expect(readAheadEnd(chunks, 2, 4.5)).toBe(4);
  });

  it('from a play head: times count from it, not from the chunk start', () => {
    // At 3 s, in chunk 1: a 6 s window runs to 9 s, so chunk 4 (starting at 9) is out.
    expect(readAheadEnd(chunks, 1, 6, 3)).toBe(4);
    expect(readAheadEnd(chunks, 1, 6.5, 3)).toBe(5);
    // The next chunk to append starts past the play head (what is before it is buffered): it is
    // wanted only if it starts within the window.
    expect(readAheadEnd(chunks, 3, 4, 3)).toBe(3);
    expect(readAheadEnd(chunks, 3, 5.5, 3)).toBe(4);
  });

  it('the last chunk: a window from it holds it alone, and no window reaches past the end', () => {
    expect(readAheadEnd(chunks, 4, 30)).toBe(5);
    expect(readAheadEnd(chunks, 4, 0)).toBe(5);
    expect(readAheadEnd(chunks, 0, 1_000)).toBe(5);
    expect(readAheadEnd(chunks, 0, Infinity)).toBe(5);
    expect(readAheadEnd(chunks, 5, 30)).toBe(5);
    expect(readAheadEnd(chunks, 99, 30)).toBe(5);
    expect(readAheadEnd([], 0, 30)).toBe(0);
  });

  it('zero, negative or NaN seconds: the chunk holding the read position, and nothing after', () => {
    expect(readAheadEnd(chunks, 1, 0)).toBe(2);
    expect(readAheadEnd(chunks, 1, -5)).toBe(2);
    expect(readAheadEnd(chunks, 1, Number.NaN)).toBe(2);
    expect(readAheadEnd(chunks, 1, -Infinity)).toBe(2);
    // Even when the read position is exactly where the chunk starts.
    expect(readAheadEnd(chunks, 1, 0, 2)).toBe(2);
  });

  it('a negative, fractional or NaN index reads from chunk 0 or the whole index below it', () => {
    expect(readAheadEnd(chunks, -3, 2.5)).toBe(2);
    expect(readAheadEnd(chunks, Number.NaN, 2.5)).toBe(2);
    expect(readAheadEnd(chunks, 1.7, 0)).toBe(2);
  });

  it('a NaN read position is the start of the chunk read from', () => {
    expect(readAheadEnd(chunks, 1, 6, Number.NaN)).toBe(readAheadEnd(chunks, 1, 6));
  });

  it('untimed (legacy) chunks count as UNTIMED_CHUNK_SECONDS each', () => {
    const legacy = Array.from({ length: 30 }, (_, index) => ({ index, start: null }));
    expect(readAheadEnd(legacy, 0, 10 * UNTIMED_CHUNK_SECONDS)).toBe(10);
    expect(readAheadEnd(legacy, 5, 10 * UNTIMED_CHUNK_SECONDS)).toBe(15);
    expect(readAheadEnd(legacy, 25, 10 * UNTIMED_CHUNK_SECONDS)).toBe(30);
    expect(readAheadEnd(legacy, 3, 0)).toBe(4);
  });

  it("the node's default is the ten 2 s chunks it read ahead when its window was a count", () => {
    const twoSecond = Array.from({ length: 100 }, (_, index) => ({ index, start: index * 2 }));
    expect(readAheadEnd(twoSecond, 40, NODE_READ_AHEAD.aheadSeconds) - 40).toBe(10);
  });
});

describe('readAheadPolicy: given numbers over defaults, clamped', () => {
  it('takes what is given and the defaults for the rest', () => {
    expect(readAheadPolicy(undefined, PLAYER_READ_AHEAD)).toEqual(PLAYER_READ_AHEAD);
    expect(readAheadPolicy({}, NODE_READ_AHEAD)).toEqual(NODE_READ_AHEAD);
    expect(readAheadPolicy({ aheadSeconds: 12 }, PLAYER_READ_AHEAD)).toEqual({
      aheadSeconds: 12,
      fetchesAtOnce: PLAYER_READ_AHEAD.fetchesAtOnce,
      behindSeconds: PLAYER_READ_AHEAD.behindSeconds,
    });
  });

  it('NaN is not given; negative seconds are 0; fetches at once are whole and at least 1', () => {
    const defaults = { aheadSeconds: 30, fetchesAtOnce: 3, behindSeconds: 30 };
    expect(
      readAheadPolicy(
        { aheadSeconds: Number.NaN, fetchesAtOnce: Number.NaN, behindSeconds: Number.NaN },
        defaults,
      ),
    ).toEqual(defaults);
    expect(readAheadPolicy({ aheadSeconds: -1, fetchesAtOnce: -2, behindSeconds: -3 }, defaults)).toEqual({
      aheadSeconds: 0,
      fetchesAtOnce: 1,
      behindSeconds: 0,
    });
    expect(readAheadPolicy({ aheadSeconds: 0, fetchesAtOnce: 0, behindSeconds: 0 }, defaults)).toEqual({
      aheadSeconds: 0,
      fetchesAtOnce: 1,
      behindSeconds: 0,
    });
    expect(readAheadPolicy({ fetchesAtOnce: 2.9 }, defaults).fetchesAtOnce).toBe(2);
    expect(readAheadPolicy({ aheadSeconds: Infinity }, defaults).aheadSeconds).toBe(Infinity);
  });

  it('fetchesAtOnce alone: the same rule, for a count given on its own', () => {
    expect(fetchesAtOnce(undefined, 4)).toBe(4);
    expect(fetchesAtOnce(Number.NaN, 4)).toBe(4);
    expect(fetchesAtOnce(0, 4)).toBe(1);
    expect(fetchesAtOnce(-7, 4)).toBe(1);
    expect(fetchesAtOnce(6.5, 4)).toBe(6);
  });

  it('every default is usable as it stands', () => {
    for (const policy of [PLAYER_READ_AHEAD, NODE_READ_AHEAD]) {
      expect(readAheadPolicy(policy, policy)).toEqual(policy);
    }
  });
});

describe('dueInMs: how soon a reader needs a chunk ahead of it', () => {
  it('is the media time between where it reads and the chunk, in milliseconds', () => {
    expect(dueInMs(chunks, 0, 0)).toBe(0);
    expect(dueInMs(chunks, 0, 2)).toBe(4_500);
    expect(dueInMs(chunks, 1, 4)).toBe(7_000);
  });

  it('is now for the chunk it is at, one behind it, one past the end, and a bad position', () => {
    expect(dueInMs(chunks, 3, 3)).toBe(0);
    expect(dueInMs(chunks, 3, 1)).toBe(0);
    expect(dueInMs(chunks, 0, 5)).toBe(0);
    expect(dueInMs(chunks, -1, 2)).toBe(0);
  });

  it('counts untimed (legacy) chunks by their place', () => {
    const untimed = [null, null, null].map((start, index) => ({ index, start }));
    expect(dueInMs(untimed, 0, 2)).toBe(2 * UNTIMED_CHUNK_SECONDS * 1000);
  });
});

describe('a live stream whose DVR window has slid: chunks 40 to 59, by index, not by place', () => {
  // 1 s chunks; chunk i starts at i s on the stream's timeline.
  const live = windowedLive().manifest.chunks;

  it('readAheadEnd takes and gives indexes', () => {
    expect(readAheadEnd(live, 45, 5)).toBe(50);
    expect(readAheadEnd(live, 45, 2.5, 45.5)).toBe(48);
    expect(readAheadEnd(live, 58, 30)).toBe(60);
    expect(readAheadEnd(live, 59, 0)).toBe(60);
  });

  it('readAheadEnd reads from the first chunk listed for an index before it, and ends at the last', () => {
    expect(readAheadEnd(live, 0, 3)).toBe(43);
    expect(readAheadEnd(live, 12, 3)).toBe(43);
    expect(readAheadEnd(live, Number.NaN, 3)).toBe(43);
    expect(readAheadEnd(live, 60, 3)).toBe(60);
    expect(readAheadEnd(live, 1_000, 3)).toBe(60);
  });

  it('dueInMs measures between indexes, and is now for either outside the list', () => {
    expect(dueInMs(live, 45, 48)).toBe(3_000);
    expect(dueInMs(live, 40, 59)).toBe(19_000);
    expect(dueInMs(live, 45, 45)).toBe(0);
    expect(dueInMs(live, 45, 60)).toBe(0);
    expect(dueInMs(live, 10, 45)).toBe(0);
  });
});
