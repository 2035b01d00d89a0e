/**
 * How PeerStreamer writes sizes, rates and durations for people: one convention for the CLI, the
 * player and the docs. Pure functions with no imports, so the renderer bundles this module as is.
 *
 * - Sizes are binary (1 MiB = 1024 KiB) and say so, because chunk sizes, cache sizes and the store
 *   all count in powers of two and a user comparing `ls` with the player must see the same figure.
 * - Durations are floored to the second, as video.js's control bar does, so `ls`, the library card
 *   and the player's own duration read the same (a 7.6 s clip is 0:07 everywhere).
 */
import type { PortMappingStats } from './api-types.js';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 0 -> "0 B"; 1536 -> "1.5 KiB"; 12.2 * 2**20 -> "12.2 MiB"; 300 * 2**20 -> "300 MiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** Bytes per second as a network rate people know: "4.2 Mbit/s". */
export function formatRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond)) return '—';
  const bits = Math.max(0, bytesPerSecond) * 8;
  if (bits >= 1e6) return `${(bits / 1e6).toFixed(1)} Mbit/s`;
  if (bits >= 1e3) return `${(bits / 1e3).toFixed(0)} kbit/s`;
  return `${bits.toFixed(0)} bit/s`;
}

/** 7.6 -> "0:07"; 83.4 -> "1:23"; 3723 -> "1:02:03"; null or NaN -> "—". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/**
 * A round-trip time: tenths of a millisecond below 10 ms, so a loopback link reads "0.3 ms" rather
 * than a flat "0 ms", and whole milliseconds above. null (not measured yet) -> "—".
 */
export function formatMilliseconds(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const tenths = Math.round(Math.max(0, ms) * 10) / 10;
  return `${tenths < 10 ? tenths.toFixed(1) : Math.round(tenths)} ms`;
}

/** What `describePlace` needs: the fields of a node's stats that say where it sits in the tree. */
export interface Place {
  role: 'source' | 'master' | 'child';
  masterName?: string | null | undefined;
  childCount?: number | undefined;
}

/**
 * A node's place in words, with both sides of a master: "source", "source, master of 2",
 * "child of mit", "child of source, master of 2". A child still looking for its master says so.
 */
export function describePlace(place: Place): string {
  const children = place.childCount ?? 0;
  // An older node says "master" without a count: still say it is one.
  const masterOf = children > 0 ? `master of ${children}` : place.role === 'master' ? 'master' : null;
  if (place.role === 'source') return masterOf ? `source, ${masterOf}` : 'source';
  const childOf =
    place.masterName !== undefined && place.masterName !== null
      ? `child of ${place.masterName}`
      : 'child (not registered with a master yet)';
  return masterOf ? `${childOf}, ${masterOf}` : childOf;
}

/**
 * Whether others can reach a node, in words a user reads in stats and the app: only a master's
 * dial-back says so, so a node with no master (or still being checked) says nothing.
 */
export function describeReachability(reachable: boolean | null | undefined): string | null {
  if (reachable === true) return 'reachable from outside: sharing with peers';
  if (reachable === false) return 'not reachable from outside: sharing only through your master';
  return null;
}

/**
 * A node's port mapping in words, for `stats` and the app: where the router opened the port, or why
 * it did not. Null when the node does not map its port (the setting or flag is off).
 */
export function describePortMapping(mapping: PortMappingStats | null | undefined): string | null {
  if (!mapping) return null;
  switch (mapping.state) {
    case 'mapped':
      return `port mapped on router ${mapping.gateway ?? '?'} (${mapping.protocol ?? '?'}): ${mapping.external ?? '?'}`;
    case 'failed':
      return `router did not open the port: ${mapping.reason ?? 'no reason given'}`;
    case 'trying':
      return 'asking the router to open the port';
    case 'off':
      return 'off';
  }
}

/**
 * A live stream's viewer count as its library card shows it: "3 watching", and the sentence its
 * tooltip gives, singular or plural. A viewer is a node playing the stream (see LiveViewers), so
 * several players on one machine count once.
 */
export function describeViewers(viewers: number): { text: string; title: string } {
  const title =
    viewers === 0
      ? 'No node is playing this stream right now'
      : viewers === 1
        ? '1 node is playing this stream right now'
        : `${viewers} nodes are playing this stream right now`;
  return { text: `${viewers} watching`, title };
}
