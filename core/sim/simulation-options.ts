/** What one simulation runs: its flags (`npm run simulate -- --help`), and the rules they set. */
import type { Random } from '../util/random.js';
import type { CrashKind } from '../net/memory-host.js';

export interface SimulationOptions {
  /** All nodes, the source included. */
  nodes: number;
  /** Children per master, at most, as nodes are placed. */
  fanout: number;
  /**
   * `fanout`: every master takes `fanout` children, as nodes placed by hand do today. `uplink`: a
   * master takes only as many as its uplink can feed the video to with a quarter to spare, after one
   * stream for its siblings (and at most `fanout`), so a 10 Mbit/s home uplink feeds 1 child of a
   * 3 Mbit/s video, not 8.
   */
  placement: 'fanout' | 'uplink';
  /**
   * Whether each master takes at most the children placement gives it, and sends newcomers and
   * orphans past that to its children with room (MASTER_FULL), as `--max-children` makes a node do.
   * Off: a master takes whoever registers, failing-over orphans included.
   */
  admission: boolean;
  /**
   * How a node finds its place. `placed`: the simulator names its master (the earliest-placed
   * master with room) and its master's master as supermaster, as nodes wired by hand are. `link`:
   * every node, newcomers and churn's replacements too, registers with the source alone, as
   * `--join <link>` of a one-peer link does, and finds its place by the masters' MASTER_FULL
   * redirects (needs admission on); an orphan falls back along its master's path.
   */
  entry: 'placed' | 'link';
  /**
   * Whether nodes drift up past younger masters (core/node/drift-up.ts), as a PeerNode does: a
   * reachable node up well longer than its master, taking at least as many children, moves to its
   * master's master when that one has room of its own.
   */
  drift: boolean;
  /**
   * Whether each node runs with its upload limit (`--upload-limit`) at its uplink's speed, as the
   * uplink placement's `--max-children` assumes the node knows it. A node then sends from its own
   * queue, what its askers need soonest first (`get`'s `dueInMs`); off: the uplink sends first come,
   * first served, as a node without a limit leaves it to its sockets.
   */
  uploadLimit: boolean;
  /**
   * Whether messages go through the wire codec (encoded, decoded and checked) or pass as objects.
   * Off by default: the figures are the same, in about three quarters of the time (see
   * test/roles/simulation.test.ts, which runs both).
   */
  codec: boolean;
  /** Percent of the nodes that leave per minute (half say goodbye, half crash); each is replaced. */
  churnPercentPerMinute: number;
  /**
   * How churn's crashes look to peers (CrashKind, core/net/memory-host.ts). `silent`: a machine
   * gone, learnt at deadlines: the worst case, and the default. `reset`: a process killed on a live
   * machine, its connections closed by its kernel, learnt one link latency later.
   */
  crash: CrashKind;
  seed: number;
  videoSeconds: number;
  bitrateBitsPerSecond: number;
  chunkSeconds: number;
  /** Round-trip time between two nodes is drawn from this range (ms). */
  rttMs: readonly [number, number];
  /** Each node's upload bandwidth is drawn from this range (bits per second). */
  uplinkBitsPerSecond: readonly [number, number];
  sourceUplinkBitsPerSecond: number;
  /** Nodes join evenly spread over this many seconds, and start playing as they join. */
  joinSpreadSeconds: number;
  /** How far ahead of the play position a viewer fetches (seconds). */
  readAheadSeconds: number;
}

export const DEFAULT_SIMULATION: SimulationOptions = {
  nodes: 1_000,
  fanout: 8,
  placement: 'fanout',
  admission: true,
  entry: 'placed',
  drift: true,
  uploadLimit: true,
  codec: false,
  churnPercentPerMinute: 0,
  crash: 'silent',
  seed: 1,
  videoSeconds: 300,
  bitrateBitsPerSecond: 3_000_000,
  // The ingest's default (DEFAULT_CHUNK_DURATION).
  chunkSeconds: 1,
  rttMs: [20, 150],
  uplinkBitsPerSecond: [5_000_000, 50_000_000],
  sourceUplinkBitsPerSecond: 100_000_000,
  joinSpreadSeconds: 60,
  readAheadSeconds: 20,
};

/** How many children a master with this uplink takes (see SimulationOptions.placement). */
export function childrenFor(options: SimulationOptions, uplinkBitsPerSecond: number): number {
  if (options.placement === 'fanout') return options.fanout;
  const forChildren = uplinkBitsPerSecond - options.bitrateBitsPerSecond;
  return Math.max(
    0,
    Math.min(options.fanout, Math.floor(forChildren / (options.bitrateBitsPerSecond * 1.25))),
  );
}

/**
 * With admission on, a node takes at most the children placement gives it (its --max-children);
 * with upload limits on, it sends at most its uplink's speed from its own queue (its --upload-limit).
 */
export function admitted(
  options: SimulationOptions,
  uplinkBitsPerSecond: number,
): { maxChildren?: number; uploadLimit?: number } {
  return {
    ...(options.admission ? { maxChildren: childrenFor(options, uplinkBitsPerSecond) } : {}),
    ...(options.uploadLimit ? { uploadLimit: uplinkBitsPerSecond / 8 } : {}),
  };
}

/** A one-way access delay such that two nodes' round trip falls in the configured range. */
export function access(options: SimulationOptions, random: Random): number {
  return randomBetween(random, options.rttMs) / 4;
}

export function randomBetween(random: Random, [low, high]: readonly [number, number]): number {
  return low + random.next() * (high - low);
}
