import { useLive } from '../api/live.ts';
import { TopologyGraph } from './TopologyGraph.tsx';

interface Props {
  video: string | null;
  chunkCount: number;
}

export function TopologyPanel({ video, chunkCount }: Props) {
  const live = useLive();
  return (
    <section className="panel topology-panel" data-testid="topology-panel" aria-label="Topology">
      <header className="panel-header">
        <h2>Topology</h2>
        {video !== null && <span className="muted">chunks of “{video}”</span>}
      </header>
      {live.topology === null ? (
        <p className="muted">Waiting for the node…</p>
      ) : (
        <div className="topology-scroll">
          <TopologyGraph root={live.topology} video={video} chunkCount={chunkCount} />
        </div>
      )}
      <p className="legend">
        <span className="legend-self" /> this node <span className="legend-dead" /> unreachable{' '}
        <span className="legend-held" /> chunk held
      </p>
    </section>
  );
}
