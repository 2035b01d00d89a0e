/**
 * `npm run simulate -- --nodes 1000 --fanout 8 --churn 10 --seed 1`: runs the simulator and prints
 * its figures as JSON (and a few lines for a person on stderr).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { simulate, type SimulationProgress } from './simulate.js';
import { DEFAULT_SIMULATION, type SimulationOptions } from './simulation-options.js';
import type { SimulationReport } from './simulation-report.js';
import { scaleChart } from './scale-chart.js';

const HELP = `Usage: npm run simulate -- [options]

Simulates a PeerStreamer tree in virtual time, in this one process: nodes built from the node's own
roles join under masters with a bounded number of children, watch one video with staggered starts
over links with WAN latency and home uplinks, and leave at a churn rate. Prints the figures as JSON.

Options:
  --nodes N          nodes, the source included (default ${DEFAULT_SIMULATION.nodes})
  --fanout N         children per master as nodes are placed (default ${DEFAULT_SIMULATION.fanout})
  --placement P      fanout: every master takes --fanout children; uplink: only as many as its
                     uplink feeds the video with 25 % to spare, at most --fanout (default ${DEFAULT_SIMULATION.placement})
  --admission A      on: each master takes at most the children placement gives it and sends
                     newcomers and orphans past that to its children with room (--max-children);
                     off: it takes whoever asks, as before (default ${DEFAULT_SIMULATION.admission ? 'on' : 'off'})
  --entry E          placed: the simulator names each node's master and supermaster, as nodes wired
                     by hand are; link: every node registers with the source alone, as --join of a
                     one-peer link does, and finds its place by MASTER_FULL redirects (default ${DEFAULT_SIMULATION.entry})
  --drift D          on: a reachable node up well longer than its master, taking as many children,
                     moves to its master's master when that one has room, as a node does; off: it
                     stays where it was placed (default ${DEFAULT_SIMULATION.drift ? 'on' : 'off'})
  --upload-limit U   on: each node's upload limit is its uplink's speed, so it sends from its own
                     queue, what is needed soonest first; off: its uplink sends first come, first
                     served (default ${DEFAULT_SIMULATION.uploadLimit ? 'on' : 'off'})
  --codec C          on: every message is encoded, decoded and checked as on the wire; off: passed
                     as objects, the same run in less time (default ${DEFAULT_SIMULATION.codec ? 'on' : 'off'})
  --churn P          percent of nodes that leave per minute, half by crash (default ${DEFAULT_SIMULATION.churnPercentPerMinute})
  --crash K          silent: a crashed node's peers learn of it at their deadlines (a machine gone);
                     reset: one link latency later (a process killed, its connections closed by its
                     kernel, as a node hears from libzmq) (default ${DEFAULT_SIMULATION.crash})
  --seed N           random seed; the same seed gives the same run (default ${DEFAULT_SIMULATION.seed})
  --minutes M        video length in minutes (default ${DEFAULT_SIMULATION.videoSeconds / 60})
  --mbps R           video bitrate in Mbit/s (default ${DEFAULT_SIMULATION.bitrateBitsPerSecond / 1e6})
  --chunk-seconds S  chunk length (default ${DEFAULT_SIMULATION.chunkSeconds})
  --join-seconds S   nodes join evenly over this many seconds (default ${DEFAULT_SIMULATION.joinSpreadSeconds})
  --uplink-mbps L-H  each node's uplink is drawn from L to H Mbit/s (default ${DEFAULT_SIMULATION.uplinkBitsPerSecond.map((bits) => bits / 1e6).join('-')})
  --sweep N,N,...    one run per node count (overrides --nodes), e.g. 1000,10000,100000; prints
                     a JSON array
  --chart FILE       also writes the runs' figures against N as an SVG chart to FILE
  -h, --help         this text
`;

/** Node counts to sweep (null: one run) and where to write the chart (null: nowhere). */
interface RunPlan {
  sweep: number[] | null;
  chart: string | null;
}

export function runPlanFrom(argv: readonly string[]): RunPlan {
  const { values } = parseFlags(argv);
  let sweep: number[] | null = null;
  if (values.sweep !== undefined) {
    sweep = values.sweep.split(',').map((count) => Number(count));
    if (sweep.some((count) => !Number.isInteger(count) || count < 2 || count > 1_000_000)) {
      throw new Error(
        `--sweep must be node counts from 2 to 1000000 separated by commas, e.g. 1000,10000; got ${JSON.stringify(values.sweep)}`,
      );
    }
  }
  if (values.chart !== undefined && !values.chart.endsWith('.svg')) {
    throw new Error(
      `--chart writes an SVG file; give a name ending in .svg, got ${JSON.stringify(values.chart)}`,
    );
  }
  return { sweep, chart: values.chart ?? null };
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      sweep: { type: 'string' },
      chart: { type: 'string' },
      nodes: { type: 'string' },
      fanout: { type: 'string' },
      placement: { type: 'string' },
      admission: { type: 'string' },
      entry: { type: 'string' },
      crash: { type: 'string' },
      codec: { type: 'string' },
      drift: { type: 'string' },
      'upload-limit': { type: 'string' },
      churn: { type: 'string' },
      seed: { type: 'string' },
      minutes: { type: 'string' },
      mbps: { type: 'string' },
      'chunk-seconds': { type: 'string' },
      'join-seconds': { type: 'string' },
      'uplink-mbps': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

export function simulationOptionsFrom(argv: readonly string[]): SimulationOptions | 'help' {
  const { values, positionals } = parseFlags(argv);
  if (values.help === true) return 'help';
  if (positionals.length > 0) {
    throw new Error(`unexpected argument ${JSON.stringify(positionals[0])}; see --help`);
  }
  const number = (flag: string, value: string | undefined, range: FlagRange): number => {
    if (value === undefined) return range.fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < range.min || parsed > range.max) {
      throw new Error(
        `--${flag} must be a number from ${range.min} to ${range.max}; got ${JSON.stringify(value)}`,
      );
    }
    if (range.whole === true && !Number.isInteger(parsed)) {
      throw new Error(`--${flag} must be a whole number; got ${JSON.stringify(value)}`);
    }
    return parsed;
  };
  const d = DEFAULT_SIMULATION;
  const placement = values.placement ?? d.placement;
  if (placement !== 'fanout' && placement !== 'uplink') {
    throw new Error(`--placement must be fanout or uplink; got ${JSON.stringify(placement)}`);
  }
  const entry = values.entry ?? d.entry;
  if (entry !== 'placed' && entry !== 'link') {
    throw new Error(`--entry must be placed or link; got ${JSON.stringify(entry)}`);
  }
  const crash = values.crash ?? d.crash;
  if (crash !== 'silent' && crash !== 'reset') {
    throw new Error(`--crash must be silent or reset; got ${JSON.stringify(crash)}`);
  }
  const onOff = (flag: string, value: string | undefined, fallback: boolean): boolean => {
    if (value === undefined) return fallback;
    if (value !== 'on' && value !== 'off') {
      throw new Error(`--${flag} must be on or off; got ${JSON.stringify(value)}`);
    }
    return value === 'on';
  };
  return {
    ...d,
    placement,
    entry,
    crash,
    admission: onOff('admission', values.admission, d.admission),
    codec: onOff('codec', values.codec, d.codec),
    drift: onOff('drift', values.drift, d.drift),
    uploadLimit: onOff('upload-limit', values['upload-limit'], d.uploadLimit),
    nodes: number('nodes', values.nodes, { min: 2, max: 1_000_000, fallback: d.nodes, whole: true }),
    fanout: number('fanout', values.fanout, { min: 1, max: 1_000, fallback: d.fanout, whole: true }),
    churnPercentPerMinute: number('churn', values.churn, {
      min: 0,
      max: 100,
      fallback: d.churnPercentPerMinute,
    }),
    seed: number('seed', values.seed, { min: 0, max: 2 ** 32 - 1, fallback: d.seed, whole: true }),
    videoSeconds:
      number('minutes', values.minutes, { min: 0.1, max: 600, fallback: d.videoSeconds / 60 }) * 60,
    bitrateBitsPerSecond:
      number('mbps', values.mbps, { min: 0.1, max: 100, fallback: d.bitrateBitsPerSecond / 1e6 }) * 1e6,
    chunkSeconds: number('chunk-seconds', values['chunk-seconds'], {
      min: 0.5,
      max: 60,
      fallback: d.chunkSeconds,
    }),
    joinSpreadSeconds: number('join-seconds', values['join-seconds'], {
      min: 0,
      max: 86_400,
      fallback: d.joinSpreadSeconds,
    }),
    uplinkBitsPerSecond: uplinkRange(values['uplink-mbps'], d.uplinkBitsPerSecond),
  };
}

interface FlagRange {
  min: number;
  max: number;
  fallback: number;
  whole?: boolean;
}

function uplinkRange(
  value: string | undefined,
  fallback: readonly [number, number],
): readonly [number, number] {
  if (value === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(value);
  const [low, high] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(low > 0 && high >= low && high <= 100_000)) {
    throw new Error(`--uplink-mbps must be LOW-HIGH in Mbit/s, e.g. 5-50; got ${JSON.stringify(value)}`);
  }
  return [low * 1e6, high * 1e6];
}

export function summary(report: SimulationReport): string {
  const { startupMs, orphans } = report;
  return [
    `${report.options.nodes} nodes, fanout ${report.options.fanout} (${report.options.placement} placement, admission ${report.options.admission ? 'on' : 'off'}), churn ${report.options.churnPercentPerMinute} %/min, upload limits ${report.options.uploadLimit ? 'on' : 'off'}: ${report.wallSeconds.toFixed(1)} s wall for ${report.virtualSeconds.toFixed(0)} s simulated`,
    `source egress ${report.sourceEgressVideos.toFixed(2)}x the video; offload ${(report.offload * 100).toFixed(2)} % (limit ${(report.offloadLimit * 100).toFixed(2)} %)`,
    `start-up p50 ${startupMs.p50.toFixed(0)} ms, p95 ${startupMs.p95.toFixed(0)} ms, p99 ${startupMs.p99.toFixed(0)} ms; stall ratio ${(report.stallRatio * 100).toFixed(3)} %`,
    ...(report.startupSplitMs === null
      ? []
      : [
          `of which placed (registered) p50 ${report.startupSplitMs.placed.p50.toFixed(0)} ms, p95 ${report.startupSplitMs.placed.p95.toFixed(0)} ms; then first chunk p50 ${report.startupSplitMs.firstChunkAfterPlaced.p50.toFixed(0)} ms, p95 ${report.startupSplitMs.firstChunkAfterPlaced.p95.toFixed(0)} ms`,
        ]),
    `depth ${report.depth}, most children ${report.mostChildren}, failovers ${report.failovers}, control ${report.controlMessagesPerNodePerSecond.toFixed(2)} msg/node/s`,
    `orphans ${orphans.count}, re-attached p95 ${orphans.reattachMs ? orphans.reattachMs.p95.toFixed(0) : '-'} ms, still orphaned ${orphans.stillOrphaned}`,
    `drift ${report.options.drift ? 'on' : 'off'}: ${report.ageOrder.movesUp} moves up (${report.ageOrder.displaced} in place of a younger child), ${report.ageOrder.outrankingTheirMaster} nodes outranking their master at the end; oldest tenth at level ${report.ageOrder.oldestTenth.meanLevel.toFixed(2)} on average (${(report.ageOrder.oldestTenth.inTopLevels * 100).toFixed(0)} % in levels 1-2), youngest tenth ${report.ageOrder.youngestTenth.meanLevel.toFixed(2)} (${(report.ageOrder.youngestTenth.inTopLevels * 100).toFixed(0)} %), all ${report.ageOrder.all.meanLevel.toFixed(2)} (${(report.ageOrder.all.inTopLevels * 100).toFixed(0)} %)`,
    `${report.timersFired.toLocaleString('en-US')} events, peak memory ${report.peakRssMiB.toFixed(0)} MiB`,
  ].join('\n');
}

/** How often a long run says where it is on stderr, in wall-clock time. */
const PROGRESS_WALL_MS = 10_000;

/** Prints a run's progress on stderr at most once per `wallMs`: a short run prints nothing. */
function progressEvery(wallMs: number): (progress: SimulationProgress) => void {
  const started = performance.now();
  let lastAt = started;
  return ({ virtualSeconds, nodes, watching, events }) => {
    const now = performance.now();
    if (now - lastAt < wallMs) return;
    lastAt = now;
    const wall = ((now - started) / 1000).toFixed(0);
    const memory = (process.memoryUsage.rss() / 2 ** 20).toFixed(0);
    process.stderr.write(
      `  ${virtualSeconds.toFixed(0)} s simulated in ${wall} s: ${nodes.toLocaleString('en-US')} nodes, ${watching.toLocaleString('en-US')} watching, ${events.toLocaleString('en-US')} events, ${memory} MiB\n`,
    );
  };
}

async function main(): Promise<void> {
  let options: SimulationOptions | 'help';
  let plan: RunPlan;
  try {
    options = simulationOptionsFrom(process.argv.slice(2));
    plan = runPlanFrom(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`simulate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const reports: SimulationReport[] = [];
  for (const nodes of plan.sweep ?? [options.nodes]) {
    const report = await simulate({ ...options, nodes }, progressEvery(PROGRESS_WALL_MS));
    process.stderr.write(`${summary(report)}\n\n`);
    reports.push(report);
  }
  if (plan.chart !== null) {
    const { options: first } = reports[0]!;
    const caption = `${first.videoSeconds / 60}-min video at ${first.bitrateBitsPerSecond / 1e6} Mbit/s, fan-out ${first.fanout} (${first.placement}), uplinks ${first.uplinkBitsPerSecond.map((bits) => bits / 1e6).join('-')} Mbit/s, churn ${first.churnPercentPerMinute} %/min, seed ${first.seed}`;
    writeFileSync(plan.chart, scaleChart(reports, caption));
    process.stderr.write(`wrote ${plan.chart}\n`);
  }
  const output = plan.sweep === null ? reports[0] : reports;
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  void main();
}
