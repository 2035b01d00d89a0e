/**
 * A small simulation of the tree, as the suite's check on what the simulator shows at scale
 * (docs/SIMULATION.md): 100 nodes built from the node's roles, a one-minute video, in virtual time.
 */
import { describe, expect, it } from 'vitest';
import { runPlanFrom, simulationOptionsFrom } from '../../core/sim/main.js';
import { scaleChart } from '../../core/sim/scale-chart.js';
import { simulate, type SimulationProgress } from '../../core/sim/simulate.js';
import { DEFAULT_SIMULATION, type SimulationOptions } from '../../core/sim/simulation-options.js';

/** Uplinks with room for four children at 3 Mbit/s each, so the tree's own rules are what is seen. */
const ROOMY: SimulationOptions = {
  ...DEFAULT_SIMULATION,
  nodes: 100,
  fanout: 4,
  videoSeconds: 60,
  joinSpreadSeconds: 10,
  uplinkBitsPerSecond: [100_000_000, 200_000_000],
};

describe('the simulated tree', () => {
  it(
    'keeps source egress within its fan-out, starts fast and never stalls, and is repeatable',
    { timeout: 120_000 },
    async () => {
      const progress: SimulationProgress[] = [];
      const report = await simulate(ROOMY, (step) => progress.push(step));
      expect(report.viewersFinished).toBe(99);
      // Once a simulated second, from the first to the end of the run, with every node counted.
      expect(progress.map((step) => step.virtualSeconds)).toEqual(
        Array.from({ length: progress.length }, (_, second) => second + 1),
      );
      expect(progress.length).toBe(Math.floor(report.virtualSeconds));
      expect(progress.at(-1)!.nodes).toBe(100);
      expect(Math.max(...progress.map((step) => step.watching))).toBe(99);
      expect(progress.at(-1)!.events).toBeLessThanOrEqual(report.timersFired);
      // The source sends each chunk to its own children at most; siblings spare it some of that.
      expect(report.sourceEgressVideos).toBeLessThanOrEqual(ROOMY.fanout);
      expect(report.offload).toBeGreaterThan(0.95);
      expect(report.startupMs.p95).toBeLessThan(2_000);
      expect(report.stallRatio).toBeLessThan(0.01);
      // 4 + 16 + 64 nodes fill three levels; the last 15 are on the fourth.
      expect(report.depth).toBe(4);
      expect(report.mostChildren).toBe(4);
      expect(report.failovers).toBe(0);
      const again = await simulate(ROOMY);
      const timing = { wallSeconds: 0, peakRssMiB: 0 };
      expect({ ...again, ...timing }).toEqual({ ...report, ...timing });
      // The chart a sweep writes: a panel per figure, each run's N on the axis, the targets dashed.
      const svg = scaleChart([report, { ...again, options: { ...again.options, nodes: 1_000 } }], 'two runs');
      for (const title of ['Source egress', 'Start-up p95', 'Stall ratio', 'Tree depth', 'Wall time'])
        expect(svg).toContain(`>${title} <tspan`);
      expect(svg).toContain('>N=100<');
      expect(svg).toContain('>N=1,000<');
      expect(svg.match(/stroke-dasharray/g)).toHaveLength(3);
    },
  );

  it(
    'gives the same report, event for event, whether messages go through the codec or as objects',
    { timeout: 120_000 },
    async () => {
      // Home uplinks and churn: overloaded masters, failovers and timeouts, where a byte or a
      // millisecond of difference between the two ways would show.
      const busy = {
        ...ROOMY,
        nodes: 60,
        fanout: 8,
        churnPercentPerMinute: 10,
        uplinkBitsPerSecond: [5e6, 50e6] as const,
      };
      const timing = { wallSeconds: 0, peakRssMiB: 0 };
      const wire = await simulate({ ...busy, codec: true });
      const objects = await simulate({ ...busy, codec: false });
      expect(wire.failovers).toBeGreaterThan(0);
      expect({ ...objects, ...timing, options: null }).toEqual({ ...wire, ...timing, options: null });
    },
  );

  it('re-attaches orphans within 5 s at 10 % churn per minute', { timeout: 120_000 }, async () => {
    const report = await simulate({ ...ROOMY, churnPercentPerMinute: 10, seed: 3 });
    expect(report.churn.left + report.churn.crashed).toBeGreaterThan(3);
    expect(report.orphans.count).toBeGreaterThan(0);
    expect(report.orphans.reattachMs!.p95).toBeLessThan(5_000);
    expect(report.stallRatio).toBeLessThan(0.01);
  });

  it(
    'places every node by itself when all join through the source, as by a one-peer link',
    { timeout: 120_000 },
    async () => {
      const report = await simulate({ ...ROOMY, nodes: 60, fanout: 3, entry: 'link', seed: 4 });
      // Every one placed and playing to the end, the tree deeper than the source's 3 children.
      expect(report.viewersFinished).toBe(59);
      expect(report.depth).toBeGreaterThan(1);
      expect(report.mostChildren).toBeLessThanOrEqual(3);
      expect(report.stallRatio).toBeLessThan(0.01);
    },
  );

  it('refuses bad flags with a sentence that names the flag', () => {
    expect(() => simulationOptionsFrom(['--nodes', '1'])).toThrow(
      '--nodes must be a number from 2 to 1000000; got "1"',
    );
    expect(() => simulationOptionsFrom(['--fanout', 'eight'])).toThrow(/--fanout must be a number/);
    expect(() => simulationOptionsFrom(['--seed', '1.5'])).toThrow(
      '--seed must be a whole number; got "1.5"',
    );
    expect(() => simulationOptionsFrom(['10000'])).toThrow(/unexpected argument "10000"; see --help/);
    expect(() => simulationOptionsFrom(['--nodez', '5'])).toThrow(/nodez/);
    expect(() => simulationOptionsFrom(['--uplink-mbps', '50-5'])).toThrow(
      '--uplink-mbps must be LOW-HIGH in Mbit/s, e.g. 5-50; got "50-5"',
    );
    expect(simulationOptionsFrom(['--uplink-mbps', '100-200'])).toMatchObject({
      uplinkBitsPerSecond: [100e6, 200e6],
    });
    expect(simulationOptionsFrom(['--help'])).toBe('help');
    expect(() => simulationOptionsFrom(['--placement', 'random'])).toThrow(
      '--placement must be fanout or uplink; got "random"',
    );
    expect(simulationOptionsFrom(['--placement', 'uplink'])).toMatchObject({ placement: 'uplink' });
    expect(() => simulationOptionsFrom(['--entry', 'door'])).toThrow(
      '--entry must be placed or link; got "door"',
    );
    expect(simulationOptionsFrom(['--entry', 'link'])).toMatchObject({ entry: 'link' });
    expect(() => simulationOptionsFrom(['--admission', 'maybe'])).toThrow(
      '--admission must be on or off; got "maybe"',
    );
    expect(simulationOptionsFrom(['--admission', 'off'])).toMatchObject({ admission: false });
    expect(() => simulationOptionsFrom(['--codec', 'yes'])).toThrow('--codec must be on or off; got "yes"');
    expect(simulationOptionsFrom(['--codec', 'on'])).toMatchObject({ codec: true });
    expect(() => simulationOptionsFrom(['--drift', 'up'])).toThrow('--drift must be on or off; got "up"');
    expect(simulationOptionsFrom([])).toMatchObject({ drift: true });
    expect(simulationOptionsFrom(['--drift', 'off'])).toMatchObject({ drift: false });
    expect(() => runPlanFrom(['--sweep', '1000,ten'])).toThrow(/--sweep must be node counts/);
    expect(() => runPlanFrom(['--sweep', '1'])).toThrow(/--sweep must be node counts from 2/);
    expect(() => runPlanFrom(['--chart', 'figures.png'])).toThrow(/--chart writes an SVG file/);
    expect(runPlanFrom(['--sweep', '1000,10000', '--chart', 'scale.svg'])).toEqual({
      sweep: [1_000, 10_000],
      chart: 'scale.svg',
    });
    expect(simulationOptionsFrom(['--nodes', '500', '--churn', '10', '--minutes', '2'])).toMatchObject({
      nodes: 500,
      churnPercentPerMinute: 10,
      videoSeconds: 120,
    });
  });
});
