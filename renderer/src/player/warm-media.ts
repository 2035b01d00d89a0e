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
}

let ready: WarmMedia | null = null;

/** Warms one for the next click, unless one is waiting already. */
export function warmMedia(): void {
  if (ready === null && typeof MediaSource !== 'undefined') ready = attach();
}

/** The warmed one (or a new one: still earlier than the player's mount), now owned by the caller. */
export function takeWarmMedia(): WarmMedia {
  const media = ready ?? attach();
  ready = null;
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
  return { video, mediaSource, opened, url };
}
