import type { Writable } from 'node:stream';
import { once } from 'node:events';
import type { ChunkStore } from '../store/chunk-store.js';
import type { Manifest } from '../shared/manifest.js';
import { endIndex, firstIndex } from '../shared/segments.js';
import { PeerStreamerError } from '../util/errors.js';

export interface ExportOptions {
  fromChunk?: number;
  /** Stops the export between chunks or while `out` is full (a reader that went away). */
  signal?: AbortSignal;
}

/**
 * Writes a playable file from the store: the init segment then chunks k..end (fmp4), or the original
 * bytes from chunk k (legacy). Every chunk is hash-checked on the way out, so an export is proof of
 * what the store holds.
 */
export async function exportVideo(
  store: ChunkStore,
  name: string,
  out: Writable,
  options: ExportOptions = {},
): Promise<{ manifest: Manifest; bytes: number; chunks: number }> {
  const manifest = exportableManifest(store, name, options.fromChunk ?? 0);
  const from = Math.max(options.fromChunk ?? 0, firstIndex(manifest.chunks));
  let bytes = 0;
  const signal = options.signal;
  const write = async (data: Buffer): Promise<void> => {
    signal?.throwIfAborted();
    bytes += data.length;
    if (!out.write(data)) await once(out, 'drain', signal ? { signal } : {});
  };
  if (manifest.kind === 'fmp4') {
    const init = await store.getInit(name, { verify: true });
    if (!init) throw missing(store, name, 'the init segment');
    await write(init);
  }
  // By index: a live stream's list starts where its window has moved to.
  const entries = manifest.chunks.filter((entry) => entry.index >= from);
  for (const { index } of entries) {
    const chunk = await store.getChunk(name, index, { verify: true });
    if (!chunk) throw missing(store, name, `chunk ${index}`);
    await write(chunk);
  }
  return { manifest, bytes, chunks: entries.length };
}

/**
 * The manifest of a video that can be exported from chunk `from`; throws VIDEO_NOT_FOUND or
 * INVALID_ARGUMENT otherwise, so a caller can check before it creates an output file.
 */
export function exportableManifest(store: ChunkStore, name: string, from: number): Manifest {
  const manifest = store.getManifest(name);
  if (!manifest) {
    throw new PeerStreamerError(
      'VIDEO_NOT_FOUND',
      `video ${JSON.stringify(name)} is not in the store ${store.dir}. Run \`peerstreamer ls --store ${store.dir}\` to see what it holds.`,
      { name, dir: store.dir },
    );
  }
  // A legacy video may have 0 chunks; exporting it from 0 writes an empty file, as the original held.
  // A live stream whose window moved on starts at its oldest chunk kept: a --from-chunk below it
  // (0 by default) exports from there.
  const first = firstIndex(manifest.chunks);
  if (!Number.isSafeInteger(from) || from < 0 || from >= first + Math.max(1, manifest.chunks.length)) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      manifest.chunks.length === 0
        ? `${JSON.stringify(name)} has no chunks to export.`
        : `--from-chunk ${from} is out of range for ${JSON.stringify(name)}: it has chunks ${first} to ${endIndex(manifest.chunks) - 1}.`,
      { name, fromChunk: from },
    );
  }
  return manifest;
}

function missing(store: ChunkStore, name: string, what: string): PeerStreamerError {
  return new PeerStreamerError(
    'CHUNK_NOT_FOUND',
    `${what} of ${JSON.stringify(name)} is not held by the store ${store.dir} (a cache holds only what was played, and verify drops damaged chunks). Fetch it with \`peerstreamer play --from <node> ${name}\`, or add the source file again with --replace.`,
    { name, what, dir: store.dir },
  );
}
