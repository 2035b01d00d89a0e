import type { LibraryEntry } from './types.ts';

/**
 * The last library listing, by name. Opening a video from the library can then start the player
 * (MediaSource, SourceBuffer with the entry's MIME type, the init segment and chunk 0) while the
 * manifest is still on its way: on a cold viewer the manifest crosses the tree just like a chunk,
 * so waiting for it first would put one whole round trip in front of the first frame.
 */
const entries = new Map<string, LibraryEntry>();

export function rememberLibrary(list: readonly LibraryEntry[]): void {
  entries.clear();
  for (const entry of list) entries.set(entry.name, entry);
}

export function knownVideo(name: string): LibraryEntry | undefined {
  return entries.get(name);
}
