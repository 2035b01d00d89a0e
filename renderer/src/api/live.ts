import { useEffect, useSyncExternalStore } from 'react';
import { api } from './client.ts';
import type { LiveStreamUpdate, LiveUpdate, NodeStats, TopologyNode } from './types.ts';
import { appendSample, type ThroughputSample } from '../stats/throughput-series.ts';

export type LiveMode = 'connecting' | 'live' | 'polling' | 'offline';

export interface LiveState {
  stats: NodeStats | null;
  topology: TopologyNode | null;
  mode: LiveMode;
  /** The node's cumulative byte counters with the time they were seen, oldest first: the chart's input. */
  samples: ThroughputSample[];
}

const POLL_MS = 2_000;

/**
 * One shared live connection for every view: Server-Sent Events from api/events, and polling when
 * the stream cannot be opened (e.g. a proxy that buffers it). Opened by the first view that needs it,
 * closed when the last one unmounts.
 */
let state: LiveState = { stats: null, topology: null, mode: 'connecting', samples: [] };
const listeners = new Set<() => void>();
let users = 0;
let source: EventSource | null = null;
let pollTimer: ReturnType<typeof setInterval> | null = null;

function update(patch: Partial<LiveState>): void {
  state = { ...state, ...patch };
  for (const listener of listeners) listener();
}

/**
 * Each update is also a sample: it says when the counters reached these values. Updates come on a
 * clock of their own (the node pushes its stats every second, polling asks every 2 s), so an idle
 * second is already a sample with unchanged counters, and a sample of our own between them would
 * only repeat the last one and render the views again.
 */
function applyStats(stats: NodeStats): void {
  update({ stats, samples: appendSample(state.samples, Date.now(), stats) });
}

function apply(update_: LiveUpdate): void {
  if (update_.type === 'stats') applyStats(update_.stats);
  else if (update_.type === 'topology') update({ topology: update_.topology });
  else for (const listener of streamListeners) listener(update_);
}

const streamListeners = new Set<(update: LiveStreamUpdate) => void>();

/**
 * Calls `listener` each time the node says a live stream it holds grew or changed state (pushed on
 * the shared event stream, which stays open while anyone listens). Returns the unsubscribe.
 * Without an event stream (polling) nothing comes: the caller keeps a poll of its own.
 */
export function onLiveStream(listener: (update: LiveStreamUpdate) => void): () => void {
  streamListeners.add(listener);
  if (users++ === 0) open();
  return () => {
    streamListeners.delete(listener);
    if (--users === 0) close();
  };
}

function open(): void {
  if (typeof EventSource === 'undefined') return startPolling();
  source = new EventSource(api.eventsUrl);
  source.addEventListener('open', () => update({ mode: 'live' }));
  for (const type of ['stats', 'topology', 'live-stream']) {
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
  // Counters seen before a gap would spread the gap's traffic over it: the next chart starts afresh.
  state = { ...state, samples: [] };
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
