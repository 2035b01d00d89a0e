/**
 * The library prefetch warms the start of on-demand videos only: a live stream is joined at its live
 * edge, and once its DVR window has slid its list has no chunk 0 at all (chunks 40-59 here). A
 * master's list may not say a video is live, so the manifest decides. Real store in a temp dir; the
 * fetcher answers manifests and records what is fetched.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LibraryPrefetch } from '../../core/stream/library-prefetch.js';
import type { ChunkFetcher, FetchedChunk } from '../../core/stream/chunk-fetcher.js';
import type { Manifest } from '../../core/shared/manifest.js';
import { silentLogger } from '../../core/util/logger.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';
import { windowedLive } from '../helpers/windowed-live.js';
import { makeVideo, openStore } from '../store/helpers.js';
import { waitFor } from '../helpers/wait.js';

afterEach(cleanupTempDirs);

const manifests = new Map<string, Manifest>([
  ['cam', windowedLive('cam').manifest],
  ['movie', makeVideo('movie', 3).manifest],
]);

/** Manifests from the map above; every fetch recorded as "video/index" and answered at once. */
function recordingFetcher(asked: string[]): Pick<ChunkFetcher, 'manifest' | 'fetch' | 'holdsOrFetching'> {
  return {
    manifest: async (video) => manifests.get(video)!,
    holdsOrFetching: () => false,
    fetch: async (video, index): Promise<FetchedChunk> => {
      asked.push(`${video}/${index}`);
      return { bytes: Buffer.alloc(1), origin: 'master' };
    },
  };
}

describe('library prefetch and live streams', () => {
  it('warms an on-demand video’s start and nothing of a live stream whose window slid', async () => {
    const store = await openStore(tempDir('prefetch-live'));
    const asked: string[] = [];
    const prefetch = new LibraryPrefetch(recordingFetcher(asked), store, silentLogger(), {
      budgetBytes: 10_000_000,
      concurrency: 4,
    });
    try {
      // As a master's list gives them: nothing says "cam" is live.
      prefetch.listed([
        { name: 'cam', kind: 'fmp4', chunks: 20 },
        { name: 'movie', kind: 'fmp4', chunks: 3 },
      ]);
      await waitFor(() => prefetch.stats().inFlight === 0, 'the prefetch settled');
      expect(asked.sort()).toEqual(['movie/-1', 'movie/0']);
      expect(prefetch.stats()).toMatchObject({ videos: 1 });
    } finally {
      prefetch.close();
      store.close();
    }
  });
});
