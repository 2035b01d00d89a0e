import { useEffect, useRef, useState } from 'react';
import videojs from 'video.js';
import 'video.js/dist/video-js.css';
import { GatewayFailure } from '../api/gateway-error.ts';
import type { MediaManifest } from '../api/types.ts';
import { debugState, resetDebug } from '../debug.ts';
import { FeedError, MediaFeed } from '../feed/media-feed.ts';
import type { Problem } from '../feed/problem.ts';
import { ProblemOverlay } from './ProblemOverlay.tsx';
import { handleHotkey } from './hotkeys.ts';
import { publishPlayback } from './playback-store.ts';
import { loadPosition, savePosition } from './positions.ts';
import { StallTracker } from './stall-tracker.ts';

interface Props {
  manifest: MediaManifest;
  /** Start here instead of the saved position (e.g. a deep link). */
  startAt?: number;
}

/**
 * video.js draws the controls around a plain <video>; our MediaFeed owns its source. video.js is
 * given no sources at all, so it never tries to load anything itself.
 */
export function VideoPlayer({ manifest, startAt }: Props) {
  const hostRef = useRef<HTMLDivElement>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  useEffect(() => {
    const mountedAt = performance.now();
    const host = hostRef.current!;
    // video.js replaces and later removes the element it is given, so React never owns it.
    const video = document.createElement('video');
    video.className = 'video-js vjs-big-play-centered';
    video.setAttribute('playsinline', '');
    video.dataset.testid = 'video';
    host.appendChild(video);
    const resumeAt = startAt ?? loadPosition(manifest.name)?.seconds ?? 0;
    const feed = new MediaFeed(video, manifest, { onProblem: (next) => report(next) });
    // The feed attaches its MediaSource before video.js builds the UI, so the network, MediaSource
    // setup and the UI proceed in parallel; video.js adopts an element that is already loading
    // (its "late init" path) without touching the source.
    const started = feed.start(resumeAt);
    const player = videojs(video, {
      controls: true,
      preload: 'auto',
      fill: true,
      errorDisplay: false,
      playbackRates: [0.5, 1, 1.25, 1.5, 2],
      userActions: { hotkeys: handleHotkey },
      controlBar: { pictureInPictureToggle: false },
    });
    const debug = resetDebug(manifest.name);
    const stalls = new StallTracker(video);
    function report(next: Problem | null): void {
      setProblem(next);
      debug.problem = next === null ? null : `${next.title}: ${next.detail}`;
      if (next !== null) debug.errors.push(debug.problem!);
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
        savePosition(manifest.name, video.currentTime, manifest.duration);
      }
    };
    const onEnded = (): void => savePosition(manifest.name, manifest.duration, manifest.duration);
    const onPause = (): void => savePosition(manifest.name, video.currentTime, manifest.duration);
    const handlers: Array<[string, () => void]> = [
      ['playing', onPlaying],
      ['waiting', onWaiting],
      ['seeking', onSeeking],
      ['error', onError],
      ['timeupdate', onTimeUpdate],
      ['ended', onEnded],
      ['pause', onPause],
    ];
    for (const [type, handler] of handlers) video.addEventListener(type, handler);

    // The first decoded frame, for the debug object (tests and the benchmark read it).
    if ('requestVideoFrameCallback' in video) {
      video.requestVideoFrameCallback(() => {
        debug.firstFrameAt = performance.now();
        debug.firstFrameMs = debug.firstFrameAt - mountedAt;
      });
    }

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
      });
      publishPlayback({
        video: manifest.name,
        currentChunk: snapshot.currentChunk,
        chunks: manifest.chunks.length,
        bufferAhead: snapshot.bufferAhead,
        buffered: snapshot.buffered,
        stalls: stallSnapshot,
        bytesByOrigin: snapshot.bytesByOrigin,
      });
    }, 250);

    started
      .then(() => player.play())
      .catch((error: unknown) => {
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
      clearInterval(refresh);
      for (const [type, handler] of handlers) video.removeEventListener(type, handler);
      savePosition(manifest.name, video.currentTime, manifest.duration);
      feed.destroy();
      player.dispose();
      publishPlayback(null);
    };
  }, [manifest, startAt]);

  return (
    <div className="player-frame" data-testid="player">
      <div className="player-host" ref={hostRef} />
      {problem !== null && <ProblemOverlay problem={problem} />}
    </div>
  );
}
