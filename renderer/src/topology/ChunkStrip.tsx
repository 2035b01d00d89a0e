interface Props {
  held: readonly number[];
  count: number;
  width: number | string;
  height: number;
  x?: number;
  y?: number;
}

/**
 * One tick per chunk of the current video, lit where the node holds it. Consecutive held chunks
 * are drawn as one run, so a 2,000-chunk video costs a few rectangles, not thousands. The strip has
 * no text, so stretching it to its box (preserveAspectRatio none) changes no label's size.
 */
export function ChunkStrip({ held, count, width, height, x, y }: Props) {
  const set = new Set(held.filter((index) => index >= 0 && index < count));
  const runs = heldRuns(set, count);
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
        <rect key={start} x={start} width={length} height={1} className="strip-held" />
      ))}
    </svg>
  );
}

/** [first index, length] of each run of consecutive held chunks, in order. */
export function heldRuns(held: ReadonlySet<number>, count: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (let index = 0; index < count; index++) {
    if (!held.has(index)) continue;
    const last = runs.at(-1);
    if (last !== undefined && last[0] + last[1] === index) last[1] += 1;
    else runs.push([index, 1]);
  }
  return runs;
}
