import { useEffect, useRef, useState } from 'react';
import type { MediaManifest } from '../api/types.ts';
import type { MediaFeed } from '../feed/media-feed.ts';
import { AT_LIVE_EDGE_SECONDS, isOngoingLive, liveEdgeStart } from '../feed/live-stream.ts';
import { secondsBehindLive } from '../../../core/shared/live-edge.js';
import { LiveCatchUp } from './live-stream-catch-up.ts';

interface Props {
  feed: MediaFeed;
  video: HTMLVideoElement;
  /** The manifest the feed started from. */
  manifest: MediaManifest;
}

/** How often the behind-live seconds and the catch-up rate are worked out again. */
const TICK_MS = 1000;

/**
 * A live stream's controls over the player: the LIVE badge (red at the live edge, grey behind it),
 * how many seconds behind live the picture is, "Go to live", and the end of the stream when it
 * comes. It also drives the gentle catch-up (live-stream-catch-up.ts) from the same tick.
 */
export function LiveStreamBar({ feed, video, manifest: first }: Props) {
  const [manifest, setManifest] = useState(first);
  const [behind, setBehind] = useState<number | null>(null);
  const catchUp = useRef<LiveCatchUp | null>(null);

  useEffect(() => {
    const follower = new LiveCatchUp(video);
    catchUp.current = follower;
    const off = feed.onManifest(setManifest);
    const tick = (): void => {
      const latest = feed.manifest ?? first;
      const seconds = secondsBehindLive(latest.chunks, video.currentTime, Date.now());
      setBehind(seconds);
      follower.update(seconds, isOngoingLive(latest));
    };
    tick();
    const timer = setInterval(tick, TICK_MS);
    return () => {
      clearInterval(timer);
      off();
      follower.dispose();
      catchUp.current = null;
    };
  }, [feed, video, first]);

  const state = manifest.live?.state ?? 'live';
  const ongoing = state === 'live';
  // On the seconds shown, so that the badge and the number never disagree.
  const atEdge = ongoing && behind !== null && Math.round(behind) <= AT_LIVE_EDGE_SECONDS;
  const goToLive = (): void => catchUp.current?.goTo(liveEdgeStart(feed.manifest ?? manifest));

  return (
    <div className="live-stream-bar" data-testid="live-bar" data-state={state}>
      {ongoing ? (
        <>
          <span
            className={`live-stream-badge ${atEdge ? 'at-edge' : 'behind'}`}
            data-testid="live-badge"
            data-at-edge={atEdge}
            title={atEdge ? 'Playing at the live edge' : 'Behind the live edge'}
          >
            LIVE
          </span>
          {behind !== null && (
            <span className="live-stream-behind" data-testid="live-behind">
              {Math.round(behind)} s behind live
            </span>
          )}
          <button type="button" className="live-stream-go" data-testid="go-live" onClick={goToLive}>
            Go to live
          </button>
        </>
      ) : (
        <span className="live-stream-ended" data-testid="live-ended" role="status">
          {state === 'ended'
            ? 'The stream has ended'
            : // A failed stream's manifest says only that its input failed at the source, not how.
              'The stream failed: its input failed at the source'}
        </span>
      )}
    </div>
  );
}
