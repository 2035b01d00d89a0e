import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Manifest } from '../api/types.ts';
import { feedVideoOf } from '../feed/feed-video.ts';
import { ProblemOverlay } from '../player/ProblemOverlay.tsx';
import { problemOfOpening, type Problem } from '../feed/problem.ts';
import { VideoPlayer } from '../player/VideoPlayer.tsx';
import { hrefOf } from '../router.ts';
import { StatsPanel } from '../stats/StatsPanel.tsx';
import { TopologyPanel } from '../topology/TopologyPanel.tsx';
import { formatTime } from '../ui/format.ts';
import { takeOpening } from '../player/opening.ts';
import { firstIndex } from '../../../core/shared/segments.js';
import { StopStreamControl, StoppedNote } from '../live/StopStreamControl.tsx';
import type { StopLiveReply } from '../api/types.ts';
import { useOwnStreams } from '../live/own-streams.ts';

type Side = 'stats' | 'topology';

/** The side panels wait for the first frame, or this long when it is slow to come. */
const PANELS_DEADLINE_MS = 1_500;

export function WatchView({ name, startAt }: { name: string; startAt?: number }) {
  // Taken during the first render, not in an effect, so requests leave before React commits and the
  // browser paints (a click on a library card has started them already); App keys this view by name
  // and start, so one view opens one video.
  const [opening] = useState(() => takeOpening(name, startAt));
  const [manifest, setManifest] = useState<Manifest | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [side, setSide] = useState<Side>('stats');
  const [panelsReady, setPanelsReady] = useState(false);
  const showPanels = useCallback(() => setPanelsReady(true), []);
  // A stream this node publishes: its player offers Stop (the bar then says it ended).
  const ownStream = useOwnStreams().running.get(name) ?? null;
  // Kept after the stop, when the stream has left the running ones: where its recording went.
  const [stopped, setStopped] = useState<StopLiveReply | null>(null);

  useEffect(() => {
    let current = true;
    opening.manifest.then(
      (loaded) => {
        if (current) setManifest(loaded);
      },
      (failure: unknown) => {
        if (current) setError(problemOfOpening(name, failure));
      },
    );
    const timer = setTimeout(showPanels, PANELS_DEADLINE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
      opening.abort();
    };
  }, [name, opening, showPanels]);

  const lateVideo = useMemo(() => (manifest?.kind === 'fmp4' ? feedVideoOf(manifest) : null), [manifest]);
  const playable = error === null && manifest?.kind !== 'legacy';

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
              {/* A live stream's length and chunk count grow; its bar over the picture says where it is. */}
              {manifest.live !== undefined
                ? `live stream · ${manifest.width}×${manifest.height}`
                : `${formatTime(manifest.duration)} · ${manifest.width}×${manifest.height} · ${manifest.chunks.length} chunks`}
            </span>
          )}
          {stopped !== null ? (
            <StoppedNote reply={stopped} />
          ) : (
            ownStream !== null && (
              <StopStreamControl
                key={ownStream.stream ?? ownStream.startedAt}
                session={ownStream}
                onStopped={setStopped}
              />
            )
          )}
        </div>
        {error !== null && (
          <div className="player-frame">
            <ProblemOverlay problem={error} />
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
        {playable && opening.early !== null && (
          <VideoPlayer
            video={opening.early}
            manifest={opening.mediaManifest}
            prefetched={opening.prefetched}
            adopt={opening.started}
            startAt={startAt}
            onFirstFrame={showPanels}
          />
        )}
        {playable && opening.early === null && lateVideo !== null && manifest?.kind === 'fmp4' && (
          <VideoPlayer video={lateVideo} manifest={manifest} startAt={startAt} onFirstFrame={showPanels} />
        )}
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
        {/* The panels open the node's live stream and draw charts: not before the first frame. */}
        {!panelsReady && error === null ? null : side === 'stats' ? (
          <StatsPanel />
        ) : (
          <TopologyPanel
            video={name}
            listed={
              manifest === null
                ? { first: 0, count: opening.early?.chunkCount ?? 0 }
                : { first: firstIndex(manifest.chunks), count: manifest.chunks.length }
            }
          />
        )}
      </aside>
    </main>
  );
}
