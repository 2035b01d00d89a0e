import type { MediaManifest } from '../api/types.ts';

/**
 * What the feed needs before the manifest arrives: enough to open the MediaSource with the right
 * SourceBuffer and fetch the init segment and chunk 0 (a library entry has all of it).
 */
export interface FeedVideo {
  name: string;
  mimeType: string;
  duration: number;
  chunkCount: number;
}

export function feedVideoOf(manifest: MediaManifest): FeedVideo {
  return {
    name: manifest.name,
    mimeType: manifest.mimeType,
    duration: manifest.duration,
    chunkCount: manifest.chunks.length,
  };
}

/**
 * Below this start time the first chunk is chunk 0 without asking the manifest: chunks end on
 * keyframes, so none is this short. A wrong guess costs one fetch; the manifest corrects the index.
 */
export const AT_START_SECONDS = 0.25;
