import type { Writable } from 'node:stream';
import { once } from 'node:events';
import type { ChunkStore } from '../store/chunk-store.js';
import type { Manifest } from '../shared/manifest.js';
import { PeerStreamerError } from '../util/errors.js';

export interface ExportOptions {
  fromChunk?: number;
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
  const manifest = store.getManifest(name);
  if (!manifest) {
    throw new PeerStreamerError(
      'VIDEO_NOT_FOUND',
      `video ${JSON.stringify(name)} is not in this store. Run \`peerstreamer ls --store <dir>\` to see what it holds.`,
      { name },
    );
  }
  const from = options.fromChunk ?? 0;
  if (!Number.isSafeInteger(from) || from < 0 || from >= Math.max(1, manifest.chunks.length)) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `--from-chunk ${from} is out of range for ${JSON.stringify(name)}: it has chunks 0 to ${manifest.chunks.length - 1}.`,
      { name, fromChunk: from },
    );
  }
  let bytes = 0;
  const write = async (data: Buffer): Promise<void> => {
    bytes += data.length;
    if (!out.write(data)) await once(out, 'drain');
  };
  if (manifest.kind === 'fmp4') {
    const init = await store.getInit(name, { verify: true });
    if (!init) throw missing(name, 'the init segment');
    await write(init);
  }
  for (let index = from; index < manifest.chunks.length; index++) {
    const chunk = await store.getChunk(name, index, { verify: true });
    if (!chunk) throw missing(name, `chunk ${index}`);
    await write(chunk);
  }
  return { manifest, bytes, chunks: manifest.chunks.length - from };
}

function missing(name: string, what: string): PeerStreamerError {
  return new PeerStreamerError(
    'CHUNK_NOT_FOUND',
    `${what} of ${JSON.stringify(name)} is not held by this store (a cache holds only what was played). Use \`peerstreamer play --from <node> ${name}\` to fetch it from the swarm.`,
    { name, what },
  );
}
