import { heldRuns, type StripSpan } from './strip-span.ts';

interface Props {
  held: readonly number[];
  /** The chunk indexes drawn (stripSpan): a live stream's start above 0 once its window slid. */
  span: StripSpan;
  width: number | string;
  height: number;
  x?: number;
  y?: number;
}

/**
 * One tick per chunk of the current video (of its DVR window, for a live stream), lit where the
 * node holds it. Consecutive held chunks are drawn as one run, so a 2,000-chunk video costs a few
 * rectangles, not thousands. The strip has no text, so stretching it to its box
 * (preserveAspectRatio none) changes no label's size.
 */
export function ChunkStrip({ held, span, width, height, x, y }: Props) {
  const { first, count } = span;
  const set = new Set(held.filter((index) => index >= first && index < first + count));
  const runs = heldRuns(set, span);
  return (
    <svg
      className="chunk-strip"
      data-testid="chunk-strip"
      data-held={set.size}
      x={x}
      y={y}
      width={width}
      height={height}
      viewBox={`0 0 ${Math.max(1, count)} 1`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`${set.size} of ${count} chunks held`}
    >
      <title>
        {set.size} of {count} chunks held
      </title>
      <rect width={Math.max(1, count)} height={1} className="strip-bg" />
      {runs.map(([start, length]) => (
        <rect key={start} x={start - first} width={length} height={1} className="strip-held" />
      ))}
    </svg>
  );
}
