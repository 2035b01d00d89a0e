import { formatRate } from '../ui/format.ts';
import { useElementWidth } from '../ui/use-element-width.ts';
import {
  BUCKET_MS,
  ORIGINS,
  WINDOW_MS,
  axisTop,
  rateBuckets,
  type RateBucket,
  type ThroughputSample,
} from './throughput-series.ts';

interface Props {
  samples: readonly ThroughputSample[];
}

/** Fixed in pixels: the chart widens with its panel but never grows taller or scales its text. */
const HEIGHT = 132;
const PAD = { left: 82, right: 12, top: 10, bottom: 24 };
const X_TICKS: ReadonlyArray<[secondsAgo: number, label: string]> = [
  [60, '60 s ago'],
  [30, '30 s ago'],
  [0, 'now'],
];

/**
 * Download throughput over the last minute in 1 s buckets, stacked by where the bytes came from
 * (the same colours as "bytes by origin"), with the total as a line on top. Drawn as SVG in real
 * pixels at the panel's measured width: no chart library, and no viewBox scaling of the labels.
 */
export function ThroughputChart({ samples }: Props) {
  const [plotRef, width] = useElementWidth<HTMLDivElement>(360);
  const buckets = rateBuckets(samples);
  const end = samples.at(-1)?.t ?? 0;
  const peak = Math.max(0, ...buckets.map((bucket) => bucket.total));
  const latest = buckets.at(-1)?.total ?? 0;
  const top = axisTop(peak);
  const plotWidth = Math.max(40, width - PAD.left - PAD.right);
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number): number => PAD.left + (1 - (end - t) / WINDOW_MS) * plotWidth;
  const y = (rate: number): number => PAD.top + plotHeight * (1 - Math.min(rate, top) / top);
  const centre = (bucket: RateBucket): number => x(bucket.start + BUCKET_MS / 2);

  return (
    <div className="throughput" data-testid="throughput">
      <p className="throughput-summary" aria-live="off">
        now <strong data-testid="throughput-now">{formatRate(latest)}</strong>
        <span className="muted"> · peak {formatRate(peak)} · last 60 s</span>
      </p>
      <div className="throughput-plot" ref={plotRef}>
        <svg
          className="throughput-chart"
          data-testid="throughput-chart"
          width={width}
          height={HEIGHT}
          viewBox={`0 0 ${width} ${HEIGHT}`}
          role="img"
          aria-label={`Download throughput over the last minute, now ${formatRate(latest)}, peak ${formatRate(peak)}`}
        >
          {[0, 0.5, 1].map((share) => (
            <g key={share}>
              <line
                x1={PAD.left}
                x2={PAD.left + plotWidth}
                y1={y(top * share)}
                y2={y(top * share)}
                className={share === 0 ? 'axis' : 'gridline'}
              />
              <text
                x={PAD.left - 8}
                y={y(top * share)}
                className="chart-label"
                textAnchor="end"
                dominantBaseline="middle"
                data-testid="rate-label"
              >
                {formatRate(top * share)}
              </text>
            </g>
          ))}
          {X_TICKS.map(([secondsAgo, label]) => (
            <text
              key={label}
              x={PAD.left + plotWidth * (1 - (secondsAgo * 1000) / WINDOW_MS)}
              y={HEIGHT - 6}
              className="chart-label"
              textAnchor={secondsAgo === 60 ? 'start' : secondsAgo === 0 ? 'end' : 'middle'}
              data-testid="time-label"
            >
              {label}
            </text>
          ))}
          {buckets.length > 1 && (
            <>
              {stackedAreas(buckets, centre, y)}
              <polyline
                className="chart-line"
                data-testid="throughput-line"
                points={buckets.map((bucket) => point(centre(bucket), y(bucket.total))).join(' ')}
              />
            </>
          )}
        </svg>
        {buckets.length <= 1 && <p className="throughput-empty">Collecting samples…</p>}
      </div>
    </div>
  );
}

/** One band per origin, each drawn on top of the ones before it. */
function stackedAreas(
  buckets: readonly RateBucket[],
  centre: (bucket: RateBucket) => number,
  y: (rate: number) => number,
) {
  const below = buckets.map(() => 0);
  return ORIGINS.map((origin) => {
    const lower = buckets.map((bucket, i) => point(centre(bucket), y(below[i]!)));
    buckets.forEach((bucket, i) => (below[i]! += bucket.rates[origin]));
    if (buckets.every((bucket) => bucket.rates[origin] === 0)) return null;
    const upper = buckets.map((bucket, i) => point(centre(bucket), y(below[i]!)));
    return (
      <polygon
        key={origin}
        className={`chart-area area-${origin}`}
        data-origin={origin}
        points={[...upper, ...lower.reverse()].join(' ')}
      />
    );
  });
}

function point(x: number, y: number): string {
  return `${x.toFixed(1)},${y.toFixed(1)}`;
}
