/**
 * The simulator's figures against the number of nodes, as an SVG a person can read: one small panel
 * per figure, N on a logarithmic axis, and each panel's target (where the issue sets one) as a
 * dashed line. Plain SVG text, so it renders in a browser or on GitHub with nothing installed.
 */
import type { SimulationReport } from './simulation-report.js';

interface Panel {
  title: string;
  unit: string;
  value(report: SimulationReport): number;
  /** A limit the figure should stay under, drawn dashed. */
  target?: (report: SimulationReport) => number;
}

const PANELS: Panel[] = [
  {
    title: 'Source egress',
    unit: 'x video',
    value: (report) => report.sourceEgressVideos,
    // Flat: at most the source's own fan-out times the video.
    target: (report) => report.options.fanout,
  },
  { title: 'Start-up p95', unit: 'ms', value: (report) => report.startupMs.p95, target: () => 2_000 },
  { title: 'Stall ratio', unit: '%', value: (report) => report.stallRatio * 100, target: () => 1 },
  { title: 'Tree depth', unit: 'levels', value: (report) => report.depth },
  {
    title: 'Control messages',
    unit: 'per node per s',
    value: (report) => report.controlMessagesPerNodePerSecond,
  },
  { title: 'Wall time', unit: 's', value: (report) => report.wallSeconds },
];

const PANEL_WIDTH = 300;
const PANEL_HEIGHT = 180;
const MARGIN = { left: 56, right: 32, top: 32, bottom: 36 };
const HEADER = 56;
const COLUMNS = 3;

/** One SVG document with a panel per figure; `reports` are runs that differ in their node count. */
export function scaleChart(reports: readonly SimulationReport[], caption: string): string {
  const runs = [...reports].sort((a, b) => a.options.nodes - b.options.nodes);
  const rows = Math.ceil(PANELS.length / COLUMNS);
  const width = COLUMNS * PANEL_WIDTH;
  const height = rows * PANEL_HEIGHT + HEADER;
  const panels = PANELS.map((panel, position) =>
    drawPanel(
      panel,
      runs,
      (position % COLUMNS) * PANEL_WIDTH,
      40 + Math.floor(position / COLUMNS) * PANEL_HEIGHT,
    ),
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="12" y="22" font-size="14" font-weight="bold">PeerStreamer in simulation: the figures against the number of nodes</text>`,
    `<text x="12" y="40" fill="#555">${escapeXml(caption)}; dashed: the target</text>`,
    ...panels,
    '</svg>',
    '',
  ].join('\n');
}

function drawPanel(panel: Panel, runs: readonly SimulationReport[], left: number, top: number): string {
  const plot = {
    x: left + MARGIN.left,
    y: top + MARGIN.top,
    width: PANEL_WIDTH - MARGIN.left - MARGIN.right,
    height: PANEL_HEIGHT - MARGIN.top - MARGIN.bottom,
  };
  const values = runs.map((run) => panel.value(run));
  const targets = panel.target ? runs.map((run) => panel.target!(run)) : [];
  const high = niceCeiling(Math.max(...values, ...targets, Number.MIN_VALUE));
  const nodes = runs.map((run) => Math.log10(run.options.nodes));
  const [lowN, highN] = [Math.min(...nodes), Math.max(...nodes)];
  const spanN = highN - lowN || 1;
  const xOf = (index: number): number =>
    runs.length === 1 ? plot.x + plot.width / 2 : plot.x + ((nodes[index]! - lowN) / spanN) * plot.width;
  const yOf = (value: number): number => plot.y + plot.height - (value / high) * plot.height;
  const parts = [
    `<text x="${left + MARGIN.left}" y="${top + 18}" font-weight="bold">${escapeXml(panel.title)} <tspan font-weight="normal" fill="#555">(${escapeXml(panel.unit)})</tspan></text>`,
    `<line x1="${plot.x}" y1="${plot.y + plot.height}" x2="${plot.x + plot.width}" y2="${plot.y + plot.height}" stroke="#999"/>`,
    `<line x1="${plot.x}" y1="${plot.y}" x2="${plot.x}" y2="${plot.y + plot.height}" stroke="#999"/>`,
    `<text x="${plot.x - 6}" y="${plot.y + 4}" text-anchor="end">${formatNumber(high)}</text>`,
    `<text x="${plot.x - 6}" y="${plot.y + plot.height + 4}" text-anchor="end">0</text>`,
  ];
  runs.forEach((run, index) => {
    parts.push(
      `<text x="${xOf(index)}" y="${plot.y + plot.height + 16}" text-anchor="middle">N=${formatNumber(run.options.nodes)}</text>`,
    );
  });
  if (targets.length > 0) {
    const points = targets.map((target, index) => `${xOf(index)},${yOf(target)}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="#c33" stroke-dasharray="5,4"/>`);
  }
  parts.push(
    `<polyline points="${values.map((value, index) => `${xOf(index)},${yOf(value)}`).join(' ')}" fill="none" stroke="#1565c0" stroke-width="2"/>`,
  );
  values.forEach((value, index) => {
    parts.push(
      `<circle cx="${xOf(index)}" cy="${yOf(value)}" r="3.5" fill="#1565c0"/>`,
      `<text x="${xOf(index)}" y="${yOf(value) - 7}" text-anchor="middle" fill="#1565c0">${formatNumber(value)}</text>`,
    );
  });
  return parts.join('\n');
}

/** The next round number at or above `value`, so an axis reads 0 to 2,000 rather than 0 to 1,873. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((candidate) => candidate * power >= value)!;
  return step * power;
}

function formatNumber(value: number): string {
  if (value >= 1_000) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(0);
  if (value >= 1) return value.toFixed(1);
  return value.toFixed(2);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
