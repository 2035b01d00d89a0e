/**
 * The tree at scale: nodes made of the node's own roles (core/sim/virtual-swarm.ts) join a tree
 * the way real nodes are placed today (by hand: each under a master with a bounded number of
 * children, the master's master as supermaster), play a video with staggered starts over links with
 * WAN latency and home uplinks, and leave (gracefully or by crash) at a churn rate. All in virtual
 * time, in one process, repeatable from the seed. See docs/SIMULATION.md.
 */
import { randomInt, type Random } from '../util/random.js';
import { syntheticVideo, type SyntheticVideo } from './synthetic-video.js';
import { VirtualSwarm, type VirtualNode } from './virtual-swarm.js';
import { SharedContent } from './shared-content.js';
import { percentile } from '../util/percentile.js';
import { readAheadEnd } from '../shared/read-ahead-policy.js';

export interface SimulationOptions {
  /** All nodes, the source included. */
  nodes: number;
  /** Children per master, at most, as nodes are placed. */
  fanout: number;
  /**
   * `fanout`: every master takes `fanout` children, as nodes placed by hand do today. `uplink`: a
   * master takes only as many as its uplink can feed the video to with a quarter to spare (and at
   * most `fanout`), so a 10 Mbit/s home uplink feeds 2 children of a 3 Mbit/s video, not 8.
   */
  placement: 'fanout' | 'uplink';
  /**
   * Whether each master takes at most the children placement gives it, and sends newcomers and
   * orphans past that to its children with room (MASTER_FULL), as `--max-children` makes a node do.
   * Off: a master takes whoever registers, failing-over orphans included.
   */
  admission: boolean;
  /**
   * Whether messages go through the wire codec (encoded, decoded and checked) or pass as objects.
   * Off by default: the figures are the same, in about three quarters of the time (see
   * test/roles/simulation.test.ts, which runs both).
   */
  codec: boolean;
  /** Percent of the nodes that leave per minute (half say goodbye, half crash); each is replaced. */
  churnPercentPerMinute: number;
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
  codec: false,
  churnPercentPerMinute: 0,
  seed: 1,
  videoSeconds: 300,
  bitrateBitsPerSecond: 3_000_000,
  chunkSeconds: 2,
  rttMs: [20, 150],
  uplinkBitsPerSecond: [5_000_000, 50_000_000],
  sourceUplinkBitsPerSecond: 100_000_000,
  joinSpreadSeconds: 60,
  readAheadSeconds: 20,
};

export interface Spread {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface SimulationReport {
  options: SimulationOptions;
  wallSeconds: number;
  virtualSeconds: number;
  timersFired: number;
  /** The process's resident memory at its largest, sampled each simulated second. */
  peakRssMiB: number;
  videoBytes: number;
  /** What the source sent as chunks, in multiples of the video's size. */
  sourceEgressVideos: number;
  /** Share of all chunk bytes viewers received that did not come from the source. */
  offload: number;
  /** The best possible offload for this many viewers: 1 - 1/N. */
  offloadLimit: number;
  viewersStarted: number;
  viewersFinished: number;
  startupMs: Spread;
  /** Time spent stalled after the first frame, over time spent watching. */
  stallRatio: number;
  rebuffersPerViewerHour: number;
  /** The deepest level a node reached (the source is 0). */
  depth: number;
  /** The most children any master had at once, sampled each second. */
  mostChildren: number;
  controlMessagesPerNodePerSecond: number;
  /** Times a node's fetcher gave up on its master as silent and failed over. */
  failovers: number;
  churn: { left: number; crashed: number; joined: number };
  /** Children whose master left: how long until they were registered somewhere again. */
  orphans: { count: number; reattachMs: Spread | null; stillOrphaned: number };
}

/** Each byte of a simulated chunk stands for this many of the real one (see MemoryNetwork.byteScale). */
const CHUNK_STAND_IN_BYTES = 64;
const TICK_MS = 100;

interface Viewing {
  node: VirtualNode;
  requestedAt: number;
  firstChunkAt?: number;
  stalledMs: number;
  rebuffers: number;
  watchedMs: number;
  finished: boolean;
  stop: AbortController;
}

interface Orphan {
  node: VirtualNode;
  lostMaster: string;
  since: number;
}

export async function simulate(options: SimulationOptions): Promise<SimulationReport> {
  const started = performance.now();
  const chunkCount = Math.ceil(options.videoSeconds / options.chunkSeconds);
  const realChunkBytes = Math.round((options.bitrateBitsPerSecond / 8) * options.chunkSeconds);
  const content = new SharedContent();
  const swarm = new VirtualSwarm(options.seed, {
    defaultLink: { latencyMs: 0 },
    byteScale: realChunkBytes / CHUNK_STAND_IN_BYTES,
    quantumMs: 1,
    content,
    codec: options.codec,
  });
  const { clock, random } = swarm;
  const video = syntheticVideo('movie', chunkCount, CHUNK_STAND_IN_BYTES, random, options.chunkSeconds);
  content.add(video);
  const epoch = clock.now();

  const source = swarm.node('n0', {
    ...admitted(options, options.sourceUplinkBitsPerSecond),
    host: {
      uplinkBytesPerSecond: options.sourceUplinkBitsPerSecond / 8,
      accessLatencyMs: access(options, random),
    },
  });
  await publish(source, video);

  const viewings: Viewing[] = [];
  /** Viewers neither finished nor gone. */
  let watching = 0;
  const orphans: Orphan[] = [];
  const reattachMs: number[] = [];
  const churn = { left: 0, crashed: 0, joined: 0 };
  const gone = new Set<string>();
  let serial = 0;
  let mostChildren = 0;
  let depth = 0;

  /** Starts a node under `master` (its master's master as supermaster) and has it watch the video. */
  const join = (master: VirtualNode): VirtualNode => {
    serial += 1;
    const uplinkBitsPerSecond = randomBetween(random, options.uplinkBitsPerSecond);
    capacity.set(`n${serial}`, childrenFor(options, uplinkBitsPerSecond));
    const supermaster = master.link?.describe()?.name;
    const node = swarm.node(`n${serial}`, {
      master: master.name,
      ...(supermaster !== undefined && supermaster !== master.name ? { supermaster } : {}),
      ...admitted(options, uplinkBitsPerSecond),
      host: {
        uplinkBytesPerSecond: uplinkBitsPerSecond / 8,
        accessLatencyMs: access(options, random),
      },
    });
    const viewing: Viewing = {
      node,
      requestedAt: clock.now(),
      stalledMs: 0,
      rebuffers: 0,
      watchedMs: 0,
      finished: false,
      stop: new AbortController(),
    };
    viewings.push(viewing);
    watching += 1;
    void watch(swarm, viewing, video, options).then(() => {
      if (viewing.finished) watching -= 1;
    });
    return node;
  };
  /** Nodes that have not left, newcomers included. */
  const live = (): VirtualNode[] => swarm.all().filter((node) => !gone.has(node.name));

  // Placed in order, level by level: each joins the earliest-placed master that still has room.
  const capacity = new Map<string, number>([
    [source.name, childrenFor(options, options.sourceUplinkBitsPerSecond)],
  ]);
  /** Places left at each master still being filled, as nodes join. */
  const room = new Map<string, number>(capacity);
  const withRoom: VirtualNode[] = [source];
  const joinEveryMs = (options.joinSpreadSeconds * 1000) / Math.max(1, options.nodes - 1);
  for (let i = 1; i < options.nodes; i++) {
    clock.after(i * joinEveryMs, () => {
      const master = withRoom[0]!;
      const left = room.get(master.name)! - 1;
      room.set(master.name, left);
      if (left === 0) withRoom.shift();
      const node = join(master);
      if (capacity.get(node.name)! > 0) {
        room.set(node.name, capacity.get(node.name)!);
        withRoom.push(node);
      }
    });
  }

  const leaveChance = options.churnPercentPerMinute / 100 / 60;
  if (leaveChance > 0)
    clock.every(1_000, () => {
      // A snapshot: newcomers joining in this pass get their first chance at the next.
      for (const viewing of [...viewings]) {
        const { node } = viewing;
        if (gone.has(node.name) || viewing.finished || random.next() >= leaveChance) continue;
        gone.add(node.name);
        viewing.stop.abort();
        watching -= 1;
        for (const child of node.registry.children()) {
          orphans.push({ node: swarm.get(child.name), lostMaster: node.name, since: clock.now() });
        }
        if (random.next() < 0.5) {
          churn.crashed += 1;
          node.kill();
        } else {
          churn.left += 1;
          void node.stop();
        }
        // A newcomer takes its place under a live master with room.
        const masters = live().filter(
          (candidate) => candidate.registry.children().length < capacity.get(candidate.name)!,
        );
        if (masters.length > 0) {
          churn.joined += 1;
          join(masters[randomInt(random, 0, masters.length - 1)]!);
        }
      }
    });

  clock.every(TICK_MS, () => {
    for (let i = orphans.length - 1; i >= 0; i--) {
      const orphan = orphans[i]!;
      if (gone.has(orphan.node.name)) {
        orphans.splice(i, 1);
        continue;
      }
      const now = orphan.node.link?.describe();
      if (now !== null && now !== undefined && now.name !== orphan.lostMaster) {
        reattachMs.push(clock.now() - orphan.since);
        orphans.splice(i, 1);
      }
    }
  });
  let peakRss = process.memoryUsage.rss();
  clock.every(1_000, () => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    for (const node of live()) {
      mostChildren = Math.max(mostChildren, node.registry.children().length);
      depth = Math.max(depth, node.link?.ownLevel() ?? 0);
    }
  });

  const endMs = (options.joinSpreadSeconds + options.videoSeconds) * 1000 + 60_000;
  await clock.runUntil(
    // Checked after every simulated millisecond: a count, not a walk over every viewer.
    () => viewings.length === options.nodes - 1 + churn.joined && watching === 0,
    endMs,
  );
  for (const node of live()) node.kill();

  const watched = viewings.filter((viewing) => viewing.firstChunkAt !== undefined);
  const startup = watched.map((viewing) => viewing.firstChunkAt! - viewing.requestedAt);
  const watchedMs = watched.reduce((sum, viewing) => sum + viewing.watchedMs, 0);
  const stalledMs = watched.reduce((sum, viewing) => sum + viewing.stalledMs, 0);
  const rebuffers = watched.reduce((sum, viewing) => sum + viewing.rebuffers, 0);
  // Every chunk any node sent was received by a node, and every node watches.
  const received = swarm.all().reduce((sum, node) => sum + node.host.chunkBytesSent, 0);
  const videoBytes = chunkCount * realChunkBytes;
  const sourceSent = source.host.chunkBytesSent;
  const virtualSeconds = (clock.now() - epoch) / 1000;
  return {
    options,
    wallSeconds: (performance.now() - started) / 1000,
    virtualSeconds,
    timersFired: clock.fired,
    peakRssMiB: peakRss / 2 ** 20,
    videoBytes,
    sourceEgressVideos: sourceSent / videoBytes,
    offload: received > 0 ? 1 - sourceSent / received : 0,
    offloadLimit: 1 - 1 / Math.max(1, viewings.length),
    viewersStarted: watched.length,
    viewersFinished: viewings.filter((viewing) => viewing.finished).length,
    startupMs: spread(startup),
    stallRatio: watchedMs + stalledMs > 0 ? stalledMs / (watchedMs + stalledMs) : 0,
    rebuffersPerViewerHour: watchedMs > 0 ? rebuffers / (watchedMs / 3_600_000) : 0,
    depth,
    mostChildren,
    controlMessagesPerNodePerSecond:
      swarm.network.totals.controlMessages / (swarm.all().length * virtualSeconds),
    failovers: swarm.all().reduce((sum, node) => sum + node.counters.failovers, 0),
    churn,
    orphans: {
      count: reattachMs.length + orphans.length,
      reattachMs: reattachMs.length > 0 ? spread(reattachMs) : null,
      stillOrphaned: orphans.length,
    },
  };
}

/**
 * A viewer: fetches the chunks in order through its node, never more than the read-ahead past the
 * play position, and plays each at its time, stalling when one is late. A failed fetch (the node
 * between masters) is asked again half a second later, as the player's feed does.
 */
async function watch(
  swarm: VirtualSwarm,
  viewing: Viewing,
  video: SyntheticVideo,
  options: SimulationOptions,
): Promise<void> {
  const { clock } = swarm;
  const chunkMs = options.chunkSeconds * 1000;
  // Chunks that start within the read-ahead, counted by the one rule every reader uses.
  const aheadChunks = readAheadEnd(video.manifest.chunks, 0, options.readAheadSeconds);
  const signal = viewing.stop.signal;
  let playStart = 0;
  for (let index = 0; index < video.chunks.length && !signal.aborted; index++) {
    if (viewing.firstChunkAt !== undefined) {
      const mayAskAt = playStart + viewing.stalledMs + (index - aheadChunks) * chunkMs;
      if (mayAskAt > clock.now()) await clock.sleep(mayAskAt - clock.now(), signal);
    }
    for (;;) {
      if (signal.aborted) return;
      try {
        await viewing.node.fetcher.fetch('movie', index, signal);
        break;
      } catch {
        await clock.sleep(500, signal);
      }
    }
    const now = clock.now();
    if (viewing.firstChunkAt === undefined) {
      viewing.firstChunkAt = now;
      playStart = now;
      continue;
    }
    const dueAt = playStart + viewing.stalledMs + index * chunkMs;
    if (now > dueAt) {
      viewing.stalledMs += now - dueAt;
      viewing.rebuffers += 1;
    }
    viewing.watchedMs = index * chunkMs;
  }
  if (signal.aborted || viewing.firstChunkAt === undefined) return;
  viewing.watchedMs = video.chunks.length * chunkMs;
  viewing.finished = true;
}

async function publish(node: VirtualNode, video: SyntheticVideo): Promise<void> {
  node.store.putManifest(video.manifest);
  await node.store.putInit(video.manifest.name, video.init);
  for (const [index, chunk] of video.chunks.entries())
    await node.store.putChunk(video.manifest.name, index, chunk);
}

/** How many children a master with this uplink takes (see SimulationOptions.placement). */
function childrenFor(options: SimulationOptions, uplinkBitsPerSecond: number): number {
  if (options.placement === 'fanout') return options.fanout;
  const forChildren = uplinkBitsPerSecond - options.bitrateBitsPerSecond;
  return Math.max(
    0,
    Math.min(options.fanout, Math.floor(forChildren / (options.bitrateBitsPerSecond * 1.25))),
  );
}

/** With admission on, a node takes at most the children placement gives it (its --max-children). */
function admitted(options: SimulationOptions, uplinkBitsPerSecond: number): { maxChildren?: number } {
  return options.admission ? { maxChildren: childrenFor(options, uplinkBitsPerSecond) } : {};
}

/** A one-way access delay such that two nodes' round trip falls in the configured range. */
function access(options: SimulationOptions, random: Random): number {
  return randomBetween(random, options.rttMs) / 4;
}

function randomBetween(random: Random, [low, high]: readonly [number, number]): number {
  return low + random.next() * (high - low);
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
  };
}
