/**
 * Counting a live stream's viewers (core/node/live-viewers.ts): a node's own viewing (once per
 * stream however many players), its children's counts summed, stale or departed children dropped,
 * sums capped, the heaviest streams first within what a heartbeat carries, and the count heard from
 * the master kept for a while and no longer.
 */
import { describe, expect, it } from 'vitest';
import { HEARD_TTL_MS, LiveViewers, VIEWING_WINDOW_MS } from '../../core/node/live-viewers.js';
import { MAX_LIVE_VIEWERS, MAX_LIVE_VIEWER_STREAMS } from '../../core/protocol/limits.js';
import type { LiveManifest } from '../../core/shared/manifest.js';
import { VirtualClock } from '../../core/util/virtual-clock.js';
import { liveManifest, manifest } from '../protocol/fixtures.js';

function setUp(children = new Set<string>(['a', 'b'])) {
  const clock = new VirtualClock(1_000_000);
  const viewers = new LiveViewers({ clock, isChild: (name) => children.has(name), childReportTtlMs: 5_000 });
  return { clock, viewers, children };
}

const LIVE = liveManifest as LiveManifest;
const live = (name: string, chunkSeconds = 1): LiveManifest => ({
  ...LIVE,
  name,
  chunks: LIVE.chunks.map((chunk) => ({ ...chunk, duration: chunkSeconds })),
});

describe('a node’s own viewing', () => {
  it('counts once per live stream, however many chunks or players, for a few seconds after the last', async () => {
    const { clock, viewers } = setUp();
    viewers.watched(live('show'));
    viewers.watched(live('show'));
    viewers.watched(live('talk'));
    expect(Object.fromEntries(viewers.subtree())).toEqual({ show: 1, talk: 1 });
    await clock.advance(VIEWING_WINDOW_MS - 1);
    viewers.watched(live('talk'));
    await clock.advance(2);
    expect(Object.fromEntries(viewers.subtree())).toEqual({ talk: 1 });
    await clock.advance(VIEWING_WINDOW_MS);
    expect(viewers.subtree().size).toBe(0);
    expect(viewers.forMaster()).toBeUndefined();
  });

  it('waits two chunks for a stream whose chunks are longer than the window', async () => {
    const { clock, viewers } = setUp();
    viewers.watched(live('slow', 8));
    await clock.advance(15_000);
    expect(viewers.subtree().get('slow')).toBe(1);
    await clock.advance(1_001);
    expect(viewers.subtree().has('slow')).toBe(false);
  });

  it('never counts an on-demand video or a stream that has ended', () => {
    const { viewers } = setUp();
    viewers.watched(manifest);
    viewers.watched({ ...live('over'), live: { ...LIVE.live, state: 'ended' } });
    expect(viewers.subtree().size).toBe(0);
  });
});

describe('a master summing its children', () => {
  it('adds each child’s latest counts to its own; a child’s new report replaces its last', () => {
    const { viewers } = setUp();
    viewers.watched(live('show'));
    viewers.childReported('a', { show: 2, talk: 1 });
    viewers.childReported('b', { show: 3 });
    expect(viewers.forMaster()).toEqual({ show: 6, talk: 1 });
    viewers.childReported('a', { show: 1 });
    expect(viewers.forMaster()).toEqual({ show: 5 });
    // An older node, or one that stopped watching, says nothing: it counts none.
    viewers.childReported('b', undefined);
    expect(viewers.forMaster()).toEqual({ show: 2 });
  });

  it('drops a child that left, and a child whose counts went stale', async () => {
    const { clock, viewers, children } = setUp();
    viewers.childReported('a', { show: 2 });
    viewers.childReported('b', { show: 3 });
    children.delete('b');
    expect(viewers.forMaster()).toEqual({ show: 2 });
    await clock.advance(5_001);
    expect(viewers.forMaster()).toBeUndefined();
  });

  it('caps absurd sums at the most one count may say', () => {
    const { viewers } = setUp();
    viewers.childReported('a', { show: MAX_LIVE_VIEWERS });
    viewers.childReported('b', { show: MAX_LIVE_VIEWERS });
    viewers.watched(live('show'));
    expect(viewers.forMaster()).toEqual({ show: MAX_LIVE_VIEWERS });
  });

  it(`sends the ${MAX_LIVE_VIEWER_STREAMS} most watched streams when there are more`, () => {
    const { viewers } = setUp();
    const counts = Object.fromEntries(
      Array.from({ length: MAX_LIVE_VIEWER_STREAMS + 4 }, (_, i) => [
        `s${String(i).padStart(2, '0')}`,
        i + 1,
      ]),
    );
    viewers.childReported('a', counts);
    const sent = viewers.forMaster()!;
    expect(Object.keys(sent)).toHaveLength(MAX_LIVE_VIEWER_STREAMS);
    expect(Math.min(...Object.values(sent))).toBe(5);
  });
});

describe('the total, down the tree', () => {
  it('is the source’s own sum for a stream it announces', () => {
    const { viewers } = setUp();
    expect(viewers.total('show')).toBeUndefined();
    expect(viewers.announcing('show')).toBe(0);
    viewers.childReported('a', { show: 2 });
    expect(viewers.total('show')).toBe(2);
  });

  it('is the latest the master announced elsewhere, kept for a while and then unknown', async () => {
    const { clock, viewers } = setUp();
    viewers.heardFromMaster('show', 4);
    viewers.heardFromMaster('show', 2);
    expect(viewers.total('show')).toBe(2);
    expect(viewers.total('talk')).toBeUndefined();
    await clock.advance(HEARD_TTL_MS + 1);
    expect(viewers.total('show')).toBeUndefined();
  });
});
