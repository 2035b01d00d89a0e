import { formatRate } from '../ui/format.ts';

interface Props {
  /** (time ms, cumulative bytes) samples, oldest first. */
  history: ReadonlyArray<readonly [number, number]>;
  width?: number;
  height?: number;
}

/** Bytes per second between successive samples, as a small SVG area chart: no chart library needed. */
export function ThroughputChart({ history, width = 360, height = 110 }: Props) {
  const rates: Array<[number, number]> = [];
  for (let i = 1; i < history.length; i++) {
    const [t0, b0] = history[i - 1]!;
    const [t1, b1] = history[i]!;
    if (t1 > t0) rates.push([t1, Math.max(0, ((b1 - b0) * 1000) / (t1 - t0))]);
  }
  const pad = { left: 4, right: 4, top: 18, bottom: 4 };
  // A floor of 16 KB/s keeps an idle chart flat instead of magnifying a few bytes into a peak.
  const highest = Math.max(0, ...rates.map(([, rate]) => rate));
  const peak = Math.max(16 * 1024, highest);
  const latest = rates.at(-1)?.[1] ?? 0;
  const first = rates[0]?.[0] ?? 0;
  const span = Math.max(1, (rates.at(-1)?.[0] ?? 1) - first);
  const x = (t: number): number => pad.left + ((t - first) / span) * (width - pad.left - pad.right);
  const y = (rate: number): number => height - pad.bottom - (rate / peak) * (height - pad.top - pad.bottom);
  const line = rates.map(([t, rate]) => `${x(t).toFixed(1)},${y(rate).toFixed(1)}`).join(' ');
  const area =
    rates.length > 1
      ? `${x(first).toFixed(1)},${height - pad.bottom} ${line} ${x(rates.at(-1)![0]).toFixed(1)},${height - pad.bottom}`
      : '';
  return (
    <svg
      className="throughput-chart"
      data-testid="throughput-chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`Throughput, now ${formatRate(latest)}`}
    >
      <line
        x1={pad.left}
        x2={width - pad.right}
        y1={height - pad.bottom}
        y2={height - pad.bottom}
        className="axis"
      />
      <line x1={pad.left} x2={width - pad.right} y1={pad.top} y2={pad.top} className="gridline" />
      <text x={pad.left} y={12} className="chart-label">
        peak {formatRate(highest)}
      </text>
      <text x={width - pad.right} y={12} className="chart-label" textAnchor="end">
        now {formatRate(latest)}
      </text>
      {rates.length > 1 ? (
        <>
          <polygon points={area} className="chart-area" />
          <polyline points={line} className="chart-line" />
        </>
      ) : (
        <text x={width / 2} y={height / 2 + 8} className="chart-empty" textAnchor="middle">
          collecting samples…
        </text>
      )}
    </svg>
  );
}
