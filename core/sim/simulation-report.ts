/** What a simulation reports: its figures, as JSON and for the chart. */
import { percentile } from '../util/percentile.js';
import type { SimulationOptions } from './simulation-options.js';

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
  /** Of the start-up: from joining to registered with a master, and from then to the first chunk. */
  startupSplitMs: { placed: Spread; firstChunkAfterPlaced: Spread } | null;
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
  /** Where old and young nodes are in the tree at the end of the run: what drifting up changes. */
  ageOrder: AgeOrder;
}

/** Nodes attached at the end of the run (not the source), their uptime against their level. */
export interface AgeOrder {
  /** Times a node drifted up to its master's master, over the whole run. */
  movesUp: number;
  /** Of those, times the master's master let a younger child go to take it (sent down a level). */
  displaced: number;
  /**
   * Nodes that outrank their master at the end (up 1.25 times as long, taking as many children:
   * core/node/seniority.ts): the pairs out of age order that drifting up would put right.
   */
  outrankingTheirMaster: number;
  /** Per level (1 under the source): how many nodes, and their median uptime in seconds. */
  byLevel: Array<{ level: number; nodes: number; uptimeP50Seconds: number }>;
  /** The tenth of the nodes up longest: their mean level, and the share of them in levels 1-2. */
  oldestTenth: LevelFigures;
  /** The tenth up the shortest time. */
  youngestTenth: LevelFigures;
  all: LevelFigures;
}

interface LevelFigures {
  meanLevel: number;
  /** Share of these nodes in levels 1 and 2. */
  inTopLevels: number;
}

/** The age order of attached nodes, each as its level and its uptime. */
export function ageOrder(
  nodes: Array<{ level: number; uptimeMs: number; outranksMaster: boolean }>,
  moves: { movesUp: number; displaced: number },
): AgeOrder {
  const levels = new Map<number, number[]>();
  for (const { level, uptimeMs } of nodes) {
    const uptimes = levels.get(level) ?? [];
    uptimes.push(uptimeMs);
    levels.set(level, uptimes);
  }
  const byLevel = [...levels.entries()]
    .sort(([a], [b]) => a - b)
    .map(([level, uptimes]) => ({
      level,
      nodes: uptimes.length,
      uptimeP50Seconds: Math.round(
        percentile(
          [...uptimes].sort((a, b) => a - b),
          50,
        ) / 1000,
      ),
    }));
  // Oldest first; a tie (nodes that joined in the same millisecond) keeps the given order.
  const oldestFirst = [...nodes].sort((a, b) => b.uptimeMs - a.uptimeMs);
  const tenth = Math.max(1, Math.floor(nodes.length / 10));
  return {
    ...moves,
    outrankingTheirMaster: nodes.filter((node) => node.outranksMaster).length,
    byLevel,
    oldestTenth: levelFigures(oldestFirst.slice(0, tenth)),
    youngestTenth: levelFigures(oldestFirst.slice(-tenth)),
    all: levelFigures(nodes),
  };
}

function levelFigures(nodes: Array<{ level: number }>): LevelFigures {
  if (nodes.length === 0) return { meanLevel: 0, inTopLevels: 0 };
  return {
    meanLevel: nodes.reduce((sum, node) => sum + node.level, 0) / nodes.length,
    inTopLevels: nodes.filter((node) => node.level <= 2).length / nodes.length,
  };
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
  };
}
