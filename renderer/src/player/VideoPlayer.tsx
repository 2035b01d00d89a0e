import { memo, useLayoutEffect, useRef, useState } from 'react';
import videojs from 'video.js';
import 'video.js/dist/video-js.css';
import type { FetchedBytes } from '../api/client.ts';
import { GatewayFailure } from '../api/gateway-error.ts';
import type { MediaManifest } from '../api/types.ts';
import { debugState, resetDebug } from '../debug.ts';
import type { FeedVideo } from '../feed/feed-video.ts';
import { MediaFeed } from '../feed/media-feed.ts';
import { FeedError, type Problem } from '../feed/problem.ts';
import { ProblemOverlay } from './ProblemOverlay.tsx';
import { handleHotkey } from './hotkeys.ts';
import { markFirstFrame } from './marks.ts';
import { publishPlayback } from './playback-store.ts';
import { loadPosition, savePosition } from './positions.ts';
import { reportWatching } from '../api/watching.ts';
import { StallTracker } from './stall-tracker.ts';
import { AT_LIVE_EDGE_SECONDS, isOngoingLive, liveEdgeStart } from '../feed/live-stream.ts';
import { LiveStreamBar } from './LiveStreamBar.tsx';
import type { StartedFeed } from './opening.ts';

interface Props {
  /** What the player needs before the manifest (from the library entry, or the manifest itself). */
  video: FeedVideo;
  /** The manifest, or the request for it when the player starts before it arrives. */
  manifest: MediaManifest | Promise<MediaManifest>;
  /** Start here instead of the saved position (e.g. a deep link). */
  startAt?: number;
  /** Requests for init and chunk 0 that left before the player existed, by URL. */
  prefetched?: Map<string, Promise<FetchedBytes>>;
  /** A feed the click already started on its own <video>: adopted instead of starting a new one. */
  adopt?: StartedFeed | null;
  /** Called once, when the first frame is shown (the view defers its side panels until then). */
  onFirstFrame?(): void;
}

/** If the first frame has not come by then (a slow or failing start), build the controls anyway. */
const CONTROLS_DEADLINE_MS = 1_500;

/**
 * video.js draws the controls around a plain <video>; our MediaFeed owns its source. video.js is
 * given no sources at all, so it never tries to load anything itself.
 *
 * The controls are built after the first frame: building video.js takes tens of milliseconds of main
 * thread (more on a first visit, before its code is compiled), and the MediaSource's sourceopen, the
 * appends and the frame callback all wait for the main thread. The <video> is inside a div marked
 * data-vjs-player, which video.js adopts as its player element in place, so the playing element is
 * never moved.
 */
export const VideoPlayer = memo(function VideoPlayer({
  video: info,
  manifest,
  startAt,
  prefetched,
  adopt,
  onFirstFrame,
}: Props) {
  const hostRef = useRef<HTMLDivElement>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [live, setLive] = useState<{
    feed: MediaFeed;
    video: HTMLVideoElement;
    manifest: MediaManifest;
  } | null>(null);
  const onFirstFrameRef = useRef(onFirstFrame);
  onFirstFrameRef.current = onFirstFrame;

  // A layout effect runs in the same task as the commit, so the MediaSource and the fetches start
  // before the browser paints the new view; a passive effect would run only after that paint.
  useLayoutEffect(() => {
    const mountedAt = performance.now();
    markFirstFrame('player-mount');
    const host = hostRef.current!;
    // React owns neither of these: video.js takes over the frame and removes it on dispose.
    const frame = document.createElement('div');
    frame.setAttribute('data-vjs-player', '');
    frame.className = 'video-js vjs-fill vjs-big-play-centered';
    const video = adopt?.media.video ?? document.createElement('video');
    video.className = 'vjs-tech';
    video.setAttribute('playsinline', '');
    video.dataset.testid = 'video';
    frame.appendChild(video);
    host.appendChild(frame);
    const debug = resetDebug(info.name);
    // A live stream (its manifest is known before the player for one: opening.ts) starts at its live
    // edge, and keeps no position: where a viewer was is gone from the window by the next visit.
    const known = manifest instanceof Promise ? null : manifest;
    const isLive = known?.live !== undefined;
    const liveStart = known !== null && isOngoingLive(known) ? liveEdgeStart(known) : undefined;
    const resumeAt =
      adopt?.resumeAt ?? startAt ?? liveStart ?? (isLive ? 0 : loadPosition(info.name)?.seconds) ?? 0;
    const keepPosition = (seconds: number): void => {
      if (!isLive) savePosition(info.name, seconds, info.duration);
    };
    let feed: MediaFeed;
    let started: Promise<void>;
    if (adopt) {
      feed = adopt.feed;
      feed.reportProblemsTo((next) => report(next));
      started = adopt.started;
    } else {
      feed = new MediaFeed(video, info, manifest, {
        onProblem: (next) => report(next),
        ...(prefetched !== undefined ? { prefetched } : {}),
      });
      started = feed.start(resumeAt);
    }
    const stalls = new StallTracker(video);
    let disposed = false;
    feed.firstManifest.then(
      (first) => {
        if (!disposed && first.live !== undefined) setLive({ feed, video, manifest: first });
      },
      () => undefined,
    );
    function report(next: Problem | null): void {
      setProblem(next);
      debug.problem = next === null ? null : `${next.title}: ${next.detail}`;
      if (next !== null) debug.errors.push(debug.problem!);
    }

    let player: Player | null = null;
    const buildControls = (): void => {
      if (player !== null || disposed) return;
      clearTimeout(controlsDeadline);
      // video.js copies the tag's classes to its player element, then makes the tag its tech.
      video.className = 'video-js vjs-big-play-centered';
      player = videojs(video, {
        controls: true,
        preload: 'auto',
        fill: true,
        errorDisplay: false,
        playbackRates: [0.5, 1, 1.25, 1.5, 2],
        userActions: { hotkeys: handleHotkey },
        // A live stream's seek bar spans its DVR window (the feed's live seekable range); its LIVE
        // badge and "Go to live" are LiveStreamBar's, which start a chunk back from the newest end
        // rather than at it, so video.js's own seek-to-live button is left out.
        // Its tracker's defaults want a 20 s window before drawing that bar, and call a viewer more
        // than 15 s back "live"; ours draws it over any window past a few chunks, and agrees with
        // the badge on where the edge ends.
        ...(isLive
          ? { liveui: true, liveTracker: { trackingThreshold: 4, liveTolerance: AT_LIVE_EDGE_SECONDS } }
          : {}),
        controlBar: { pictureInPictureToggle: false, seekToLive: false },
      });
      // video.js starts out showing a paused player; playback may already be under way.
      if (!video.paused) {
        const tech = player.tech(true);
        tech.trigger('play');
        if (video.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA) tech.trigger('playing');
      }
      // The duration became infinite before video.js was built: its live tracker missed the change.
      if (isLive) (player as unknown as LiveTracked).liveTracker?.toggleTracking();
      markFirstFrame('controls-ready');
    };
    const controlsDeadline = setTimeout(buildControls, CONTROLS_DEADLINE_MS);

    // The first decoded frame, for the debug object (tests and the benchmark read it).
    if ('requestVideoFrameCallback' in video) {
      video.requestVideoFrameCallback(() => {
        if (disposed) return;
        debug.firstFrameAt = performance.now();
        debug.firstFrameMs = debug.firstFrameAt - mountedAt;
        markFirstFrame('first-frame');
        onFirstFrameRef.current?.();
        // After this frame is painted, not before it.
        setTimeout(buildControls, 0);
      });
    }

    const onPlaying = (): void => stalls.onPlaying();
    const onWaiting = (): void => stalls.onWaiting();
    const onSeeking = (): void => {
      stalls.onSeeking();
      debug.seeks++;
    };
    const onError = (): void => {
      const error = video.error;
      if (error === null) return;
      report({
        kind: 'decode',
        title: "The browser couldn't decode this video",
        detail: `${error.message || 'Media error'} (code ${error.code}).`,
        retrying: false,
      });
    };
    let lastSaved = 0;
    const onTimeUpdate = (): void => {
      if (Math.abs(video.currentTime - lastSaved) >= 2) {
        lastSaved = video.currentTime;
        keepPosition(video.currentTime);
      }
    };
    const onEnded = (): void => keepPosition(info.duration);
    const onPause = (): void => keepPosition(video.currentTime);
    const handlers: Array<[string, () => void]> = [
      ['playing', onPlaying],
      ['waiting', onWaiting],
      ['seeking', onSeeking],
      ['error', onError],
      ['timeupdate', onTimeUpdate],
      ['ended', onEnded],
      ['pause', onPause],
      // The desktop app holds its updates back while a video plays.
      ['play', () => reportWatching(true)],
      ['pause', () => reportWatching(false)],
      ['ended', () => reportWatching(false)],
    ];
    for (const [type, handler] of handlers) video.addEventListener(type, handler);

    const refresh = setInterval(() => {
      const snapshot = feed.snapshot();
      const stallSnapshot = stalls.snapshot();
      Object.assign(debug, {
        currentTime: video.currentTime,
        currentChunk: snapshot.currentChunk,
        nextChunk: snapshot.nextChunk,
        buffered: snapshot.buffered,
        bufferAhead: snapshot.bufferAhead,
        stalls: stallSnapshot,
        quotaEvictions: snapshot.quotaEvictions,
        sourceBufferFrom: snapshot.sourceBufferFrom,
      });
      publishPlayback({
        video: info.name,
        currentChunk: snapshot.currentChunk,
        // A live stream's chunks are numbered past its window's start, and more come.
        chunks:
          feed.manifest?.live !== undefined
            ? (feed.manifest.chunks.at(-1)?.index ?? -1) + 1
            : info.chunkCount,
        bufferAhead: snapshot.bufferAhead,
        buffered: snapshot.buffered,
        stalls: stallSnapshot,
        bytesByOrigin: snapshot.bytesByOrigin,
      });
    }, 250);

    started
      .then(() => (player !== null ? player.play() : video.play()))
      .catch((error: unknown) => {
        // Whatever stopped the start, the viewer needs the controls (e.g. the big play button).
        buildControls();
        if (error instanceof FeedError) report(error.problem);
        else if (error instanceof GatewayFailure) {
          if (error.kind === 'fatal')
            report({
              kind: 'fatal',
              title: "Couldn't start playback",
              detail: error.message,
              retrying: false,
            });
        } else if (error instanceof DOMException && error.name === 'NotAllowedError') {
          // Autoplay was refused: the big play button is there for the viewer to press.
        } else if (!(error instanceof DOMException && error.name === 'AbortError')) {
          debugState().errors.push(String(error));
        }
      });

    return () => {
      disposed = true;
      clearTimeout(controlsDeadline);
      clearInterval(refresh);
      for (const [type, handler] of handlers) video.removeEventListener(type, handler);
      keepPosition(video.currentTime);
      feed.destroy();
      setLive(null);
      if (player !== null) player.dispose();
      else frame.remove();
      publishPlayback(null);
      reportWatching(false);
    };
  }, [info, manifest, startAt, prefetched, adopt]);

  return (
    <div className="player-frame" data-testid="player">
      <div className="player-host" ref={hostRef} />
      {live !== null && <LiveStreamBar feed={live.feed} video={live.video} manifest={live.manifest} />}
      {problem !== null && <ProblemOverlay problem={problem} />}
    </div>
  );
});

type Player = ReturnType<typeof videojs>;
/** video.js's live tracker, which its types leave out. */
interface LiveTracked {
  liveTracker?: { toggleTracking(): void };
}
