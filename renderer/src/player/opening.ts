import { api, getBytes, type FetchedBytes } from '../api/client.ts';
import { knownVideo } from '../api/library-cache.ts';
import type { Manifest, MediaManifest } from '../api/types.ts';
import { AT_START_SECONDS, type FeedVideo } from '../feed/feed-video.ts';
import { MediaFeed } from '../feed/media-feed.ts';
import { markFirstFrame, markOpen } from './marks.ts';
import { loadPosition } from './positions.ts';
import { releaseMedia, takeWarmMedia, type WarmMedia } from './warm-media.ts';

/** A video being opened: the requests that can leave before the player exists. */
export interface Opening {
  name: string;
  manifest: Promise<Manifest>;
  /** The same request, as the player wants it (a legacy manifest rejects: the view says why). */
  mediaManifest: Promise<MediaManifest>;
  /** Set when the library already described this video, so the player need not wait for the manifest. */
  early: FeedVideo | null;
  /** Init segment and chunk 0 already requested, by URL, for the feed to take over. */
  prefetched: Map<string, Promise<FetchedBytes>>;
  /**
   * When `early` is known: the feed, already started on a warmed <video> at the click, so the init
   * segment and chunk 0 are appended as soon as they arrive, while React still renders the view.
   * The player adopts both when it mounts.
   */
  started: StartedFeed | null;
  abort(): void;
}

export interface StartedFeed {
  media: WarmMedia;
  feed: MediaFeed;
  /** feed.start(): resolves once the init segment is appended. */
  started: Promise<void>;
  /** Where playback starts, seconds. */
  resumeAt: number;
}

/**
 * Asks for the manifest at once and, when the library listing already said what the video is, for
 * the init segment and (for a start at the beginning) chunk 0 too: on a cold viewer each of these
 * crosses the tree, so they go in parallel, and before the view is even rendered.
 */
function openVideo(name: string, startAt: number | undefined): Opening {
  markOpen();
  const controller = new AbortController();
  const manifest = api.manifest(name, controller.signal).then((loaded) => {
    markFirstFrame('manifest-done');
    return loaded;
  });
  const mediaManifest = manifest.then((loaded) => {
    if (loaded.kind !== 'fmp4') throw new Error(`“${name}” is a legacy video`);
    return loaded;
  });
  const entry = knownVideo(name);
  // A live stream waits for its manifest: where it starts (the live edge) is in the newest one.
  const early =
    entry?.kind === 'fmp4' && entry.duration !== null && entry.chunks > 0 && entry.live === undefined
      ? { name, mimeType: entry.mimeType, duration: entry.duration, chunkCount: entry.chunks }
      : null;
  const prefetched = new Map<string, Promise<FetchedBytes>>();
  const resumeAt = startAt ?? loadPosition(name)?.seconds ?? 0;
  if (early !== null) {
    const urls = [api.initUrl(name)];
    if (resumeAt < AT_START_SECONDS) urls.push(api.chunkUrl(name, 0));
    for (const url of urls) prefetched.set(url, getBytes(url, controller.signal));
  }
  let started: StartedFeed | null = null;
  if (early !== null) {
    const media = takeWarmMedia();
    const feed = new MediaFeed(media.video, early, mediaManifest, { prefetched, attached: media });
    started = { media, feed, started: feed.start(resumeAt), resumeAt };
    // Observed by the player once it mounts; until then a failure must not surface as unhandled.
    started.started.catch(() => undefined);
  }
  // Observed later by the view and the feed, or never once the viewer has moved on: these keep an
  // abort or an early failure (the feed retries it) from surfacing as unhandled.
  for (const promise of [manifest, mediaManifest, ...prefetched.values()]) promise.catch(() => undefined);
  const abort = (): void => {
    controller.abort();
    if (started !== null) {
      started.feed.destroy();
      releaseMedia(started.media);
    }
  };
  return { name, manifest, mediaManifest, early, prefetched, started, abort };
}

let clicked: Opening | null = null;

/** From the library card's click, which comes before the route change that renders the view. */
export function openOnClick(name: string): void {
  clicked?.abort();
  clicked = openVideo(name, undefined);
}

/** The opening a click already started for this video, else a new one. */
export function takeOpening(name: string, startAt: number | undefined): Opening {
  const opening = clicked;
  clicked = null;
  if (opening !== null && opening.name === name && startAt === undefined) return opening;
  opening?.abort();
  return openVideo(name, startAt);
}
