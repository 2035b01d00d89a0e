import { api } from '../api/client.ts';
import type { LibraryEntry } from '../api/types.ts';
import { primeWarmMedia } from './warm-media.ts';
import { PREFETCH_HEADER, PREFETCH_PURPOSE } from '../../../core/shared/api-types.js';

/*
 * The start of each listed video (init segment and chunk 0) fetched into the browser's HTTP cache
 * while the library shows, so a click's own requests for them are answered by the cache instead of
 * a round trip to the node. The node serves chunks as immutable, so the cache keeps them. These
 * requests carry a header that tells the node they are not playback: it answers them only with the
 * starts its own library prefetch holds or brings (waiting for them), refusing the rest, so its
 * library prefetch neither gives way to them nor is exceeded by them. A refused one is asked again
 * at the next listing.
 */
/**
 * Videos warmed in the page's lifetime, at most: the top of a library, bounded so a huge library
 * does not fill the cache. A warmed video stays counted, as the cache keeps its start (immutable).
 */
const MAX_VIDEOS = 24;
const IN_FLIGHT = 2;

const warmed = new Set<string>();
const pending = new Set<string>();

/** Warms the start of the listed videos not warmed yet; `signal` stops what is left when the library goes. */
export function warmStarts(list: readonly LibraryEntry[], signal: AbortSignal): void {
  const videos = list
    // A live stream starts at its edge, not at chunk 0 (which its window may have dropped).
    .filter(
      (entry) =>
        entry.kind === 'fmp4' && entry.chunks > 0 && entry.live === undefined && !warmed.has(entry.name),
    )
    .filter((entry) => !pending.has(entry.name))
    .slice(0, Math.max(0, MAX_VIDEOS - warmed.size));
  for (const entry of videos) pending.add(entry.name);
  const warm = async (name: string): Promise<boolean> => {
    for (const url of [api.initUrl(name), api.chunkUrl(name, 0)]) {
      const response = await fetch(url, {
        credentials: 'same-origin',
        signal,
        headers: { [PREFETCH_HEADER]: PREFETCH_PURPOSE },
      });
      // Read to the end: only a complete body is kept by the cache.
      await response.arrayBuffer();
      if (!response.ok) return false;
    }
    return true;
  };
  const next = async (): Promise<void> => {
    for (let entry = videos.shift(); entry !== undefined; entry = videos.shift()) {
      if (signal.aborted) {
        pending.delete(entry.name);
        continue;
      }
      // A warm-up that fails costs nothing: the click fetches as it would have anyway.
      if (await warm(entry.name).catch(() => false)) warmed.add(entry.name);
      pending.delete(entry.name);
    }
  };
  for (let worker = 0; worker < IN_FLIGHT; worker++) void next();
  primeFor(list, signal);
}

/** The warmed <video> is primed with the first listed video's init segment, asked as a warm-up. */
function primeFor(list: readonly LibraryEntry[], signal: AbortSignal): void {
  const first = list.find((entry) => entry.kind === 'fmp4' && entry.chunks > 0 && entry.live === undefined);
  if (first === undefined) return;
  primeWarmMedia(first.mimeType, async () => {
    const response = await fetch(api.initUrl(first.name), {
      credentials: 'same-origin',
      signal,
      headers: { [PREFETCH_HEADER]: PREFETCH_PURPOSE },
    });
    if (!response.ok) throw new Error(`init segment of “${first.name}”: HTTP ${response.status}`);
    return response.arrayBuffer();
  });
}
