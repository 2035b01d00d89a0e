import { sha256Hex as sha256 } from '../util/hash.js';
import type { MediaManifest } from '../shared/manifest.js';
import type { Random } from '../util/random.js';
import { signManifest } from '../trust/manifest-signature.js';
import { publisherKeyPairFromSeed, type PublisherKeyPair } from '../trust/publisher-key.js';

/**
 * The publisher of every synthetic video: one fixed key, so a simulated swarm's source and the
 * videos put in its store agree without being told, and runs repeat byte for byte.
 */
export const SYNTHETIC_PUBLISHER: PublisherKeyPair = publisherKeyPairFromSeed(
  Buffer.from(sha256(Buffer.from('peerstreamer synthetic publisher')), 'hex'),
);

export interface SyntheticVideo {
  manifest: MediaManifest;
  init: Buffer;
  chunks: Buffer[];
}

/**
 * A video of `count` chunks of `bytes` each, `chunkSeconds` long, with random content from `random`:
 * real bytes with real hashes, and a manifest signed by SYNTHETIC_PUBLISHER, so every node verifies
 * them as it would a real video's.
 */
export function syntheticVideo(
  name: string,
  count: number,
  bytes: number,
  random: Random,
  chunkSeconds = 2,
): SyntheticVideo {
  const fill = (size: number): Buffer => {
    const buffer = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4)
      buffer.writeUInt32LE(Math.floor(random.next() * 2 ** 32), Math.min(i, size - 4));
    return buffer;
  };
  const init = fill(1_024);
  const chunks = Array.from({ length: count }, () => fill(bytes));
  return {
    init,
    chunks,
    manifest: signManifest<MediaManifest>(
      {
        version: 1,
        kind: 'fmp4',
        name,
        mimeType: 'video/mp4; codecs="avc1.64001f, mp4a.40.2"',
        duration: count * chunkSeconds,
        width: 1280,
        height: 720,
        createdAt: '2026-01-01T00:00:00.000Z',
        init: { size: init.byteLength, sha256: sha256(init) },
        ingest: { mode: 'remux', sourceCodecs: ['h264', 'aac'] },
        chunks: chunks.map((chunk, index) => ({
          index,
          start: index * chunkSeconds,
          duration: chunkSeconds,
          size: chunk.byteLength,
          sha256: sha256(chunk),
        })),
      },
      SYNTHETIC_PUBLISHER,
    ),
  };
}
