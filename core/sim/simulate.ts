/**
 * The tree at scale: nodes made of the node's own roles (core/sim/virtual-swarm.ts) join a tree
 * the way real nodes are placed today (by hand: each under a master with a bounded number of
 * children, the master's master as supermaster), play a video with staggered starts over links with
 * WAN latency and home uplinks, and leave (gracefully or by crash) at a churn rate. All in virtual
 * time, in one process, repeatable from the seed. See docs/SIMULATION.md.
 */
import { randomInt, type Random } from '../util/random.js';
import { syntheticVideo } from './synthetic-video.js';
import { VirtualSwarm, type VirtualNode } from './virtual-swarm.js';
import { SharedContent } from './shared-content.js';
import {
  access,
  admitted,
  childrenFor,
  randomBetween,
  type SimulationOptions,
} from './simulation-options.js';
import { ageOrder, spread, type SimulationReport } from './simulation-report.js';
import { outranks, type Standing } from '../node/seniority.js';
import { publish, watch, type Viewing } from './viewer.js';

/** Each byte of a simulated chunk stands for this many of the real one (see MemoryNetwork.byteScale). */
const CHUNK_STAND_IN_BYTES = 64;
const TICK_MS = 100;

interface Orphan {
  node: VirtualNode;
  lostMaster: string;
  since: number;
}

/** Where a run is, once a simulated second: for a person waiting on a long one. */
export interface SimulationProgress {
  virtualSeconds: number;
  /** Nodes started so far (the source included), and how many of them are still watching. */
  nodes: number;
  watching: number;
  events: number;
}

export async function simulate(
  options: SimulationOptions,
  onProgress?: (progress: SimulationProgress) => void,
): Promise<SimulationReport> {
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
  /** When each node started: its uptime at the end, against its level. */
  const joinedAt = new Map<string, number>();

  /**
   * Starts a node under `master` (its master's master as supermaster) and has it watch the video; by
   * link, it registers with the source alone and finds its own place.
   */
  const join = (placedUnder: VirtualNode): VirtualNode => {
    serial += 1;
    const uplinkBitsPerSecond = randomBetween(random, options.uplinkBitsPerSecond);
    capacity.set(`n${serial}`, childrenFor(options, uplinkBitsPerSecond));
    const master = options.entry === 'link' ? source : placedUnder;
    const supermaster = options.entry === 'link' ? undefined : master.link?.describe()?.name;
    const node = swarm.node(`n${serial}`, {
      master: master.name,
      ...(supermaster !== undefined && supermaster !== master.name ? { supermaster } : {}),
      ...admitted(options, uplinkBitsPerSecond),
      host: {
        uplinkBytesPerSecond: uplinkBitsPerSecond / 8,
        accessLatencyMs: access(options, random),
      },
      ...(options.drift ? { drift: {} } : {}),
    });
    joinedAt.set(node.name, clock.now());
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
      // Who has room, once a pass: a scan per leaver made churn at 100,000 nodes quadratic.
      const masters = live().filter((candidate) => candidate.registry.count < capacity.get(candidate.name)!);
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
          node.kill(options.crash);
        } else {
          churn.left += 1;
          void node.stop();
        }
        // A newcomer takes its place under a live master with room.
        const master = pickLive(masters, gone, random);
        if (master !== undefined) {
          churn.joined += 1;
          join(master);
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
    onProgress?.({
      virtualSeconds: (clock.now() - epoch) / 1000,
      nodes: viewings.length + 1,
      watching,
      events: clock.fired,
    });
    for (const node of live()) {
      mostChildren = Math.max(mostChildren, node.registry.count);
      depth = Math.max(depth, node.link?.ownLevel() ?? 0);
    }
  });

  const endMs = (options.joinSpreadSeconds + options.videoSeconds) * 1000 + 60_000;
  await clock.runUntil(
    // Checked after every simulated millisecond: a count, not a walk over every viewer.
    () => viewings.length === options.nodes - 1 + churn.joined && watching === 0,
    endMs,
  );
  const uptimeOf = (name: string): number => clock.now() - (joinedAt.get(name) ?? epoch);
  const attached = live().flatMap((node) => {
    const level = node.link?.ownLevel() ?? null;
    const master = node.link?.describe()?.name;
    if (level === null || master === undefined || !joinedAt.has(node.name)) return [];
    const standing = (name: string): Standing => ({
      uptimeMs: uptimeOf(name),
      maxChildren: capacity.get(name),
    });
    // The heap order drifting up restores: a node that outranks its master is out of order.
    return [
      {
        level,
        uptimeMs: uptimeOf(node.name),
        outranksMaster: outranks(standing(node.name), standing(master)),
      },
    ];
  });
  const movesUp = swarm.all().reduce((sum, node) => sum + node.counters.movesUp, 0);
  const displaced = swarm.all().reduce((sum, node) => sum + node.service.displaced, 0);
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
    startupSplitMs: startupSplit(watched),
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
    ageOrder: ageOrder(attached, { movesUp, displaced }),
  };
}

/** Start-up's two parts, over the viewers that were placed before their first chunk came. */
function startupSplit(watched: Viewing[]): SimulationReport['startupSplitMs'] {
  const placed = watched.filter((viewing) => viewing.placedAt !== undefined);
  if (placed.length === 0) return null;
  return {
    placed: spread(placed.map((viewing) => viewing.placedAt! - viewing.requestedAt)),
    firstChunkAfterPlaced: spread(placed.map((viewing) => viewing.firstChunkAt! - viewing.placedAt!)),
  };
}

/** A random one of `masters` that has not left since the list was made (those that have are dropped). */
function pickLive(
  masters: VirtualNode[],
  gone: ReadonlySet<string>,
  random: Random,
): VirtualNode | undefined {
  while (masters.length > 0) {
    const at = randomInt(random, 0, masters.length - 1);
    const master = masters[at]!;
    if (!gone.has(master.name)) return master;
    masters[at] = masters[masters.length - 1]!;
    masters.pop();
  }
  return undefined;
}
