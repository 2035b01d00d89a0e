import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import { rememberLibrary } from '../api/library-cache.ts';
import type { LibraryEntry, LiveSessionView } from '../api/types.ts';
import { openOnClick } from '../player/opening.ts';
import { warmMedia } from '../player/warm-media.ts';
import { warmStarts } from '../player/warm-starts.ts';
import { loadPosition } from '../player/positions.ts';
import { hrefOf } from '../router.ts';
import { describeViewers, formatBytes, formatTime } from '../ui/format.ts';
import { VideoThumb } from './VideoThumb.tsx';
import { publisherLabel } from '../../../core/shared/publisher.js';
import { CopyLinkButton } from '../links/CopyLinkButton.tsx';
import { requestOpen } from '../links/link-state.ts';
import { looksLikeLink } from '../links/open-link.ts';
import { StopStreamControl } from '../live/StopStreamControl.tsx';
import { useOwnStreams } from '../live/own-streams.ts';
import '../live/live.css';

const REFRESH_MS = 5_000;

export function LibraryView() {
  const [videos, setVideos] = useState<LibraryEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ownStreams = useOwnStreams();

  useEffect(() => {
    // The media pipeline for the next click starts now, while the viewer looks at the library.
    warmMedia();
    let cancelled = false;
    // Warming the next click's cache is pointless once the library is gone (the viewer clicked).
    const warming = new AbortController();
    const load = async (): Promise<void> => {
      try {
        const list = await api.videos();
        rememberLibrary(list);
        if (!cancelled) {
          warmStarts(list, warming.signal);
          setVideos(list);
          setError(null);
        }
      } catch (failure) {
        if (!cancelled) setError(failure instanceof Error ? failure.message : String(failure));
      }
    };
    void load();
    // A link pasted anywhere on the library opens it; pastes into a field stay that field's.
    const onPaste = (event: ClipboardEvent): void => {
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, [contenteditable="true"]')) return;
      const text = event.clipboardData?.getData('text/plain') ?? '';
      if (!looksLikeLink(text)) return;
      event.preventDefault();
      requestOpen(text);
    };
    document.addEventListener('paste', onPaste);
    // Cached fractions change as this node fetches and seeds, so the list refreshes itself.
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
      document.removeEventListener('paste', onPaste);
      warming.abort();
    };
  }, []);

  return (
    <main className="library" data-testid="library">
      <header className="view-header">
        <h1>Library</h1>
        {videos !== null && (
          <span className="muted">
            {videos.length} {videos.length === 1 ? 'video' : 'videos'}
          </span>
        )}
        <a className="go-live-button" href={hrefOf({ view: 'go-live' })} data-testid="go-live-open">
          Go live…
        </a>
      </header>
      {error !== null && (
        <div className="banner banner-error" role="alert" data-testid="library-error">
          Couldn't reach the node: {error}
        </div>
      )}
      {videos === null && error === null && <p className="muted">Loading…</p>}
      {videos !== null && videos.length === 0 && (
        <p className="empty" data-testid="library-empty">
          No videos yet. Add one on the source node with <code>peerstreamer add &lt;file&gt;</code>.
        </p>
      )}
      <ul className="video-grid">
        {videos !== null &&
          liveFirst(videos).map((video) => (
            <VideoCard
              key={video.name}
              video={video}
              ownStream={ownStreams.running.get(video.name) ?? null}
              onStopped={ownStreams.refresh}
            />
          ))}
      </ul>
    </main>
  );
}

/** Live streams being cut first (a viewer looks for what is on now), the rest in the node's order. */
function liveFirst(videos: readonly LibraryEntry[]): LibraryEntry[] {
  const onNow = (video: LibraryEntry): number => (video.live?.state === 'live' ? 0 : 1);
  return [...videos].sort((a, b) => onNow(a) - onNow(b));
}

interface CardProps {
  video: LibraryEntry;
  /** Set when this node publishes the stream and it still runs: the card offers Stop. */
  ownStream: LiveSessionView | null;
  onStopped: () => void;
}

function VideoCard({ video, ownStream, onStopped }: CardProps) {
  const cached = video.chunks > 0 ? video.chunksHeld / video.chunks : 0;
  const saved = loadPosition(video.name);
  const legacy = video.kind === 'legacy';
  return (
    <li className={`video-card ${legacy ? 'legacy' : ''}`} data-testid="video-card" data-name={video.name}>
      <a
        href={hrefOf({ view: 'watch', name: video.name })}
        className="video-link"
        onClick={(event) => {
          // A plain click opens the video here: its requests can leave now, before the route change.
          if (!event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0)
            openOnClick(video.name);
        }}
      >
        <VideoThumb video={video} saved={saved} />
        <div className="card-body">
          <h2 className="video-title" data-testid="video-title" title={video.name}>
            {video.name}
          </h2>
          <p
            className="video-publisher"
            data-testid="video-publisher"
            title={
              video.publisher === null
                ? 'Not signed by a publisher'
                : `Published by key ${video.publisher}: the same first characters as in the link or stats mean the same publisher`
            }
          >
            {video.publisher === null ? 'unsigned' : `by ${publisherLabel(video.publisher)}`}
          </p>
          <p className="video-meta">
            {video.live?.state === 'live' && (
              <>
                <span className="tag tag-live" data-testid="live-marker">
                  LIVE
                </span>
                {/* A count only when the node gives one; none is made up. */}
                {video.live.viewers !== undefined && (
                  <span data-testid="live-viewers" title={describeViewers(video.live.viewers).title}>
                    {' '}
                    {describeViewers(video.live.viewers).text}
                  </span>
                )}{' '}
              </>
            )}
            {legacy ? (
              <span className="tag tag-legacy">legacy format</span>
            ) : (
              <>
                <span data-testid="video-duration">{formatTime(video.duration)}</span>
                {video.width !== null && video.height !== null && (
                  <span data-testid="video-resolution">
                    {' · '}
                    {video.width}×{video.height}
                  </span>
                )}
              </>
            )}
            {video.bytesTotal !== null && (
              <span data-testid="video-size">
                {' · '}
                {formatBytes(video.bytesTotal)}
              </span>
            )}
          </p>
          <div
            className="cache-row"
            title={`${video.chunksHeld} of ${video.chunks} chunks held on this node`}
          >
            <span
              className="cache-bar"
              data-testid="cache-bar"
              data-held={video.chunksHeld}
              data-total={video.chunks}
            >
              <span className="cache-fill" style={{ width: `${cached * 100}%` }} />
            </span>
            <span className="cache-label">{Math.round(cached * 100)}% cached</span>
          </div>
          {saved !== null && (
            <p className="resume" data-testid="resume-position">
              Resume at {formatTime(saved.seconds)}
            </p>
          )}
        </div>
      </a>
      {/* Outside the card's link: a button inside an <a> would also open the video. */}
      <CopyLinkButton video={video} />
      {ownStream !== null && (
        <StopStreamControl
          key={ownStream.stream ?? ownStream.startedAt}
          session={ownStream}
          onStopped={onStopped}
        />
      )}
    </li>
  );
}
