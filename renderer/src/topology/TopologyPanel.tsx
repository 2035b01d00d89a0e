import { useMemo, useState } from 'react';
import { useLive } from '../api/live.ts';
import { useElementWidth } from '../ui/use-element-width.ts';
import { TopologyGraph, layOutGraph } from './TopologyGraph.tsx';
import { TopologyOutline } from './TopologyOutline.tsx';
import { stripSpan, type StripSpan } from './strip-span.ts';

interface Props {
  video: string | null;
  /**
   * The video's chunks as the page last read them (its manifest or library entry): the index of the
   * first listed and how many. A live stream's strips move on from there as its tree does.
   */
  listed: StripSpan;
  /** Say which video the strips show (off where a picker beside the panel already says it). */
  caption?: boolean;
}

type Shape = 'auto' | 'graph' | 'list';

/**
 * The node tree, as a graph where it fits the panel and as an indented list where it does not (the
 * side panel beside the player, a large swarm). Either way text keeps its size; the viewer can pick
 * the other shape, and a graph wider than the panel scrolls.
 */
export function TopologyPanel({ video, listed, caption = true }: Props) {
  const live = useLive();
  const [shape, setShape] = useState<Shape>('auto');
  const [bodyRef, width] = useElementWidth<HTMLDivElement>(0);
  const root = live.topology;
  // Once per topology update: stats updates and resizes render this panel too.
  const layout = useMemo(() => (root === null ? null : layOutGraph(root)), [root]);
  const strip = useMemo(
    () => stripSpan(listed.first, listed.count, root, video),
    [listed.first, listed.count, root, video],
  );
  const fits = layout !== null && width > 0 && layout.width <= width;
  const showGraph = shape === 'graph' || (shape === 'auto' && fits);
  return (
    <section className="panel topology-panel" data-testid="topology-panel" aria-label="Topology">
      <header className="panel-header">
        <h2>Topology</h2>
        <div className="segmented" role="group" aria-label="Show the tree as">
          <button
            type="button"
            aria-pressed={showGraph}
            data-testid="topology-shape-graph"
            onClick={() => setShape('graph')}
          >
            Graph
          </button>
          <button
            type="button"
            aria-pressed={!showGraph}
            data-testid="topology-shape-list"
            onClick={() => setShape('list')}
          >
            List
          </button>
        </div>
      </header>
      {caption && video !== null && <p className="muted topology-caption">Chunks of “{video}”</p>}
      <div className="topology-scroll" ref={bodyRef} data-shape={showGraph ? 'graph' : 'list'}>
        {root === null || layout === null ? (
          <p className="muted">Waiting for the node…</p>
        ) : showGraph ? (
          <TopologyGraph layout={layout} video={video} strip={strip} />
        ) : (
          <TopologyOutline root={root} video={video} strip={strip} />
        )}
      </div>
      <p className="legend">
        <span className="legend-self" /> this node <span className="legend-dead" /> unreachable{' '}
        <span className="legend-held" /> chunk held
      </p>
    </section>
  );
}
