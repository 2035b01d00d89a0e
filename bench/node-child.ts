/**
 * A node for the benchmarks that need to look inside it: the real PeerNode (the same code
 * `peerstreamer node` runs), started from the same flags, plus a `monitorEventLoopDelay` histogram the
 * parent resets and reads over IPC. The node does not expose its event-loop delay itself, and a
 * monitor in another process could not see it.
 *
 * Spawned by swarm-harness.ts with an IPC channel: `node dist/bench/node-child.js --name ... --port ...`.
 * Messages in: eld-start (reset and enable), eld-report (since eld-start). Messages out: ready,
 * eld-started, eld-report.
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import { parseNodeFlags } from '../core/cli/node-options.js';
import { PeerNode } from '../core/node/peer-node.js';

// Sampling every 2 ms rather than the default 10 ms: a stall shorter than the sampling period would
// be recorded smaller than it was; the timer's own cost is negligible beside a node's work.
const RESOLUTION_MS = 2;
const REGISTER_TIMEOUT_MS = 20_000;

if (!process.send) throw new Error('node-child.js is started by the benchmarks with an IPC channel.');
const send = (message: object): void => {
  process.send?.(message);
};

const node = await PeerNode.start(parseNodeFlags(process.argv.slice(2)));
if (node.link && !(await node.link.waitForMaster(REGISTER_TIMEOUT_MS))) {
  throw new Error(`${node.config.name} did not register with ${node.config.master}`);
}

const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
const ms = (nanoseconds: number): number => nanoseconds / 1e6;
// Beside the delay: how busy the loop was, and how much CPU the process got per wall second, which
// tells a loop blocked by its own work from one waiting for a core on a shared machine.
let since: { elu: EventLoopUtilization; cpu: NodeJS.CpuUsage; at: number } | undefined;

process.on('message', (message: { type?: string }) => {
  if (message.type === 'eld-start') {
    histogram.disable();
    histogram.reset();
    histogram.enable();
    since = { elu: performance.eventLoopUtilization(), cpu: process.cpuUsage(), at: performance.now() };
    send({ type: 'eld-started' });
  } else if (message.type === 'eld-report' && since) {
    const cpu = process.cpuUsage(since.cpu);
    send({
      type: 'eld-report',
      p50Ms: ms(histogram.percentile(50)),
      p99Ms: ms(histogram.percentile(99)),
      maxMs: ms(histogram.max),
      meanMs: ms(histogram.mean),
      samples: histogram.count,
      utilization: performance.eventLoopUtilization(since.elu).utilization,
      cpuShare: (cpu.user + cpu.system) / 1000 / (performance.now() - since.at),
    });
  }
});
// The parent SIGKILLs this process when done; if the parent dies first, go with it.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
