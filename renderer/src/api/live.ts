import { useEffect, useSyncExternalStore } from 'react';
import { api } from './client.ts';
import type { LiveUpdate, NodeStats, TopologyNode } from './types.ts';

export type LiveMode = 'connecting' | 'live' | 'polling' | 'offline';

export interface LiveState {
  stats: NodeStats | null;
  topology: TopologyNode | null;
  mode: LiveMode;
  /** (time ms, total bytes fetched) pairs, newest last: the throughput chart's input. */
  fetchedHistory: Array<readonly [number, number]>;
}

const POLL_MS = 2_000;
const HISTORY = 90;

/**
 * One shared live connection for every view: Server-Sent Events from api/events, and polling when
 * the stream cannot be opened (e.g. a proxy that buffers it). Opened by the first view that needs it,
 * closed when the last one unmounts.
 */
let state: LiveState = { stats: null, topology: null, mode: 'connecting', fetchedHistory: [] };
const listeners = new Set<() => void>();
let users = 0;
let source: EventSource | null = null;
let pollTimer: ReturnType<typeof setInterval> | null = null;
let sampleTimer: ReturnType<typeof setInterval> | null = null;
const SAMPLE_MS = 1_000;

function update(patch: Partial<LiveState>): void {
  state = { ...state, ...patch };
  for (const listener of listeners) listener();
}

function applyStats(stats: NodeStats): void {
  update({ stats });
}

/**
 * The node pushes stats only when something changed, so the chart samples the latest counters on
 * its own clock: idle seconds then show as zero throughput instead of a line that stops.
 */
function sample(): void {
  if (state.stats === null) return;
  const total = Object.values(state.stats.bytesFetched).reduce((sum, bytes) => sum + bytes, 0);
  update({ fetchedHistory: [...state.fetchedHistory, [Date.now(), total] as const].slice(-HISTORY) });
}

function apply(update_: LiveUpdate): void {
  if (update_.type === 'stats') applyStats(update_.stats);
  else update({ topology: update_.topology });
}

function open(): void {
  sampleTimer = setInterval(sample, SAMPLE_MS);
  if (typeof EventSource === 'undefined') return startPolling();
  source = new EventSource(api.eventsUrl);
  source.addEventListener('open', () => update({ mode: 'live' }));
  for (const type of ['stats', 'topology']) {
    source.addEventListener(type, (event) =>
      apply(JSON.parse((event as MessageEvent<string>).data) as LiveUpdate),
    );
  }
  source.addEventListener('error', () => {
    // CONNECTING: the browser is already reconnecting. CLOSED: it gave up (an HTTP error), so poll.
    if (source?.readyState === EventSource.CLOSED) {
      source.close();
      source = null;
      startPolling();
    } else update({ mode: 'connecting' });
  });
}

function startPolling(): void {
  if (pollTimer !== null) return;
  const poll = async (): Promise<void> => {
    try {
      const [stats, topology] = await Promise.all([api.stats(), api.topology()]);
      applyStats(stats);
      update({ topology, mode: 'polling' });
    } catch {
      update({ mode: 'offline' });
    }
  };
  void poll();
  pollTimer = setInterval(() => void poll(), POLL_MS);
}

function close(): void {
  source?.close();
  source = null;
  if (pollTimer !== null) clearInterval(pollTimer);
  pollTimer = null;
  if (sampleTimer !== null) clearInterval(sampleTimer);
  sampleTimer = null;
}

export function useLive(): LiveState {
  useEffect(() => {
    if (users++ === 0) open();
    return () => {
      if (--users === 0) close();
    };
  }, []);
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}
