import { useLive } from '../api/live.ts';
import { usePlayback } from '../player/playback-store.ts';
import { describePlace, describePortMapping, describeReachability, formatBytes } from '../ui/format.ts';
import { PeerTable } from './PeerTable.tsx';
import { ThroughputChart } from './ThroughputChart.tsx';
import { ORIGINS } from './throughput-series.ts';

/** The node's counters (live over SSE) beside what this player measures itself. */
export function StatsPanel() {
  const live = useLive();
  const playback = usePlayback();
  const stats = live.stats;
  const fetched = stats?.bytesFetched ?? { local: 0, peer: 0, master: 0, source: 0 };
  const totalFetched = ORIGINS.reduce((sum, origin) => sum + fetched[origin], 0);
  return (
    <section className="panel stats-panel" data-testid="stats-panel" aria-label="Statistics">
      <header className="panel-header">
        <h2>Stats</h2>
        <span className={`live-badge live-${live.mode}`} data-testid="live-mode">
          {live.mode}
        </span>
      </header>
      {stats !== null && (
        <p className="muted node-line" data-testid="node-place">
          {stats.name} · {describePlace(stats)} · {stats.address}
          {stats.currentMaster !== null && ` · master ${stats.currentMaster}`}
        </p>
      )}
      {stats?.reachable === false && (
        <p className="muted node-line" data-testid="node-reachability">
          {describeReachability(stats.reachable)}
        </p>
      )}
      {stats?.portMapping !== undefined && (
        <p className="muted node-line" data-testid="node-port-mapping">
          {describePortMapping(stats.portMapping)}
        </p>
      )}
      <h3>Bytes by origin</h3>
      <div className="origin-bars" data-testid="bytes-by-origin">
        {ORIGINS.map((origin) => (
          <div
            className="origin-row"
            key={origin}
            data-testid={`bytes-${origin}`}
            data-bytes={fetched[origin]}
          >
            <span className={`origin-dot origin-${origin}`} />
            <span className="origin-name">{origin}</span>
            <span className="origin-bar">
              <span
                className={`origin-fill origin-${origin}`}
                style={{ width: `${totalFetched > 0 ? (fetched[origin] / totalFetched) * 100 : 0}%` }}
              />
            </span>
            <span className="origin-bytes">{formatBytes(fetched[origin])}</span>
          </div>
        ))}
      </div>
      <h3>Throughput</h3>
      <ThroughputChart samples={live.samples} />
      <div className="metric-grid">
        <Metric
          label="Buffer ahead"
          testId="buffer-ahead"
          value={playback.video ? `${playback.bufferAhead.toFixed(1)} s` : '—'}
        />
        <Metric
          label="Stalls"
          testId="stalls"
          value={
            playback.video
              ? `${playback.stalls.count} · ${(playback.stalls.totalMs / 1000).toFixed(1)} s`
              : '—'
          }
        />
        <Metric
          label="Chunk"
          testId="current-chunk"
          value={playback.currentChunk === null ? '—' : `${playback.currentChunk + 1} / ${playback.chunks}`}
        />
        <Metric label="Served to others" testId="bytes-served" value={formatBytes(stats?.bytesServed ?? 0)} />
        <Metric label="Held locally" testId="bytes-held" value={formatBytes(stats?.bytesHeld ?? 0)} />
        <Metric
          label="Library starts prefetched"
          testId="library-prefetch"
          value={
            stats?.libraryPrefetch
              ? `${stats.libraryPrefetch.videos} · ${formatBytes(stats.libraryPrefetch.bytes)}`
              : '—'
          }
        />
        <Metric
          label="Invalid messages"
          testId="invalid-messages"
          value={String(stats?.invalidMessages ?? 0)}
        />
      </div>
      <h3>Peers</h3>
      <PeerTable peers={stats?.peers ?? []} />
    </section>
  );
}

function Metric({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="metric" data-testid={testId}>
      <div className="metric-value">{value}</div>
      <div className="metric-label">{label}</div>
    </div>
  );
}
