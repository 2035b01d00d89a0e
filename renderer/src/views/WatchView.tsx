import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { Manifest } from '../api/types.ts';
import { ProblemOverlay } from '../player/ProblemOverlay.tsx';
import { VideoPlayer } from '../player/VideoPlayer.tsx';
import { hrefOf } from '../router.ts';
import { StatsPanel } from '../stats/StatsPanel.tsx';
import { TopologyPanel } from '../topology/TopologyPanel.tsx';
import { formatTime } from '../ui/format.ts';

type Side = 'stats' | 'topology';

export function WatchView({ name, startAt }: { name: string; startAt?: number }) {
  const [manifest, setManifest] = useState<Manifest | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [side, setSide] = useState<Side>('stats');

  useEffect(() => {
    const controller = new AbortController();
    setManifest(null);
    setError(null);
    api
      .manifest(name, controller.signal)
      .then(setManifest)
      .catch((failure: unknown) => {
        if (!controller.signal.aborted)
          setError(failure instanceof Error ? failure.message : String(failure));
      });
    return () => controller.abort();
  }, [name]);

  return (
    <main className="watch" data-testid="watch">
      <div className="watch-main">
        <div className="watch-title">
          <a href={hrefOf({ view: 'library' })} className="back-link">
            ← Library
          </a>
          <h1 title={name}>{name}</h1>
          {manifest?.kind === 'fmp4' && (
            <span className="muted">
              {formatTime(manifest.duration)} · {manifest.width}×{manifest.height} · {manifest.chunks.length}{' '}
              chunks
            </span>
          )}
        </div>
        {error !== null && (
          <div className="player-frame">
            <ProblemOverlay
              problem={{ kind: 'fatal', title: `Couldn't open “${name}”`, detail: error, retrying: false }}
            />
          </div>
        )}
        {manifest?.kind === 'legacy' && (
          <div className="player-frame">
            <ProblemOverlay
              problem={{
                kind: 'legacy',
                title: 'This video is in the old byte-split format',
                detail:
                  'It came from the original system as raw byte chunks, which a browser cannot play from the middle. Export it with `peerstreamer export` and play the file, or re-ingest the original video.',
                retrying: false,
              }}
            />
          </div>
        )}
        {manifest?.kind === 'fmp4' && <VideoPlayer manifest={manifest} startAt={startAt} />}
      </div>
      <aside className="watch-side">
        <div className="tabs" role="tablist">
          <button
            role="tab"
            aria-selected={side === 'stats'}
            data-testid="tab-stats"
            onClick={() => setSide('stats')}
          >
            Stats
          </button>
          <button
            role="tab"
            aria-selected={side === 'topology'}
            data-testid="tab-topology"
            onClick={() => setSide('topology')}
          >
            Topology
          </button>
        </div>
        {side === 'stats' ? (
          <StatsPanel />
        ) : (
          <TopologyPanel video={name} chunkCount={manifest?.chunks.length ?? 0} />
        )}
      </aside>
    </main>
  );
}
