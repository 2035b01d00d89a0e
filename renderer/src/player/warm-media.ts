import { debugState } from '../debug.ts';
import { appendTo } from '../feed/source-buffer-ops.ts';

/**
 * A <video> with a MediaSource already attached and open, made while the library shows, for the next
 * video the viewer clicks. Opening a MediaSource starts the browser's media pipeline, which took
 * about 60 ms after the player mounted on a first play: the largest share of a click's time to first
 * frame once the node serves the start of a video from local bytes (the library prefetch). Warmed
 * ahead, a click only adds a SourceBuffer and appends.
 */
export interface WarmMedia {
  video: HTMLVideoElement;
  mediaSource: MediaSource;
  /** Resolves at sourceopen (at once when already open). */
  opened: Promise<void>;
  /** The object URL the element was given; revoked at sourceopen, or on release if that never came. */
  url: string;
  /**
   * Set once priming began: a SourceBuffer whose init segment (of a listed video) is appended, so the
   * browser has built its demuxer and decoders before the click. Resolves to null if priming failed.
   */
  primed: Promise<PrimedBuffer | null> | null;
}

/** A SourceBuffer made for `mimeType`, with one init segment appended and nothing else. */
export interface PrimedBuffer {
  buffer: SourceBuffer;
  mimeType: string;
}

let ready: WarmMedia | null = null;

/** Warms one for the next click, unless one is waiting already. */
export function warmMedia(): void {
  if (ready === null && typeof MediaSource !== 'undefined') ready = attach();
}

/**
 * Primes the waiting one with the init segment at `initUrl` (a listed video's, fetched the way the
 * library warms starts, so from the page's cache when that is done). The browser then sets up its
 * media pipeline for that codec now rather than at the click: on a first play that set-up is a
 * large share of the time from the click to the first frame. A different video clicked later reuses
 * it through SourceBuffer.changeType(); a browser without changeType() is not primed.
 */
export function primeWarmMedia(mimeType: string, fetchInit: () => Promise<ArrayBuffer>): void {
  const media = ready;
  if (media === null || media.primed !== null) return;
  if (typeof SourceBuffer === 'undefined' || !('changeType' in SourceBuffer.prototype)) return;
  if (!MediaSource.isTypeSupported(mimeType)) return;
  media.primed = prime(media, mimeType, fetchInit).catch(() => null);
}

async function prime(
  media: WarmMedia,
  mimeType: string,
  fetchInit: () => Promise<ArrayBuffer>,
): Promise<PrimedBuffer | null> {
  const [init] = await Promise.all([fetchInit(), media.opened]);
  // Taken by a click meanwhile: that video's own init segment is coming, this one is not wanted.
  if (ready !== media || media.mediaSource.readyState !== 'open') return null;
  const buffer = media.mediaSource.addSourceBuffer(mimeType);
  try {
    await appendTo(buffer, init);
  } catch (error) {
    // So the feed adds its own buffer instead of a second one beside a broken one.
    if (media.mediaSource.readyState === 'open') media.mediaSource.removeSourceBuffer(buffer);
    throw error;
  }
  if (ready === media) debugState().primedFor = mimeType;
  return { buffer, mimeType };
}

/** The warmed one (or a new one: still earlier than the player's mount), now owned by the caller. */
export function takeWarmMedia(): WarmMedia {
  const media = ready ?? attach();
  ready = null;
  debugState().primedFor = null;
  // A priming still fetching its init segment gives up (see prime); one already appending finishes,
  // and the feed waits those few milliseconds for it.
  if (media.primed !== null && media.mediaSource.sourceBuffers.length === 0) media.primed = null;
  return media;
}

/** Gives up one that will not be used (the opening was abandoned), freeing its media pipeline. */
export function releaseMedia(media: WarmMedia): void {
  // Revoking twice is harmless; a URL never opened would otherwise keep its MediaSource alive.
  URL.revokeObjectURL(media.url);
  media.video.removeAttribute('src');
  media.video.load();
}

function attach(): WarmMedia {
  const video = document.createElement('video');
  const mediaSource = new MediaSource();
  const url = URL.createObjectURL(mediaSource);
  const opened = new Promise<void>((resolve) =>
    mediaSource.addEventListener(
      'sourceopen',
      () => {
        URL.revokeObjectURL(url);
        resolve();
      },
      { once: true },
    ),
  );
  video.src = url;
  return { video, mediaSource, opened, url, primed: null };
}
