// The cost of a long stream, counted rather than timed: each append signs its own chunk and nothing
// else. The signing module is wrapped so the builder's calls into it can be counted.
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { LiveManifestBuilder } from '../../core/trust/live-manifest-builder.js';
import type * as liveSignature from '../../core/trust/live-signature.js';
import { signLiveChunk, signLiveHeader } from '../../core/trust/live-signature.js';
import { signatureProblem } from '../../core/trust/manifest-signature.js';
import { publisherKeyPairFromSeed } from '../../core/trust/publisher-key.js';

vi.mock('../../core/trust/live-signature.js', async (importOriginal) => {
  const real = await importOriginal<typeof liveSignature>();
  return { ...real, signLiveChunk: vi.fn(real.signLiveChunk), signLiveHeader: vi.fn(real.signLiveHeader) };
});

const KEY = publisherKeyPairFromSeed(new Uint8Array(32).fill(12));
const CHUNKS = 10_000;

describe('a long live stream', () => {
  it(`signs each of ${CHUNKS} chunks once and the header once, and all of them verify`, () => {
    const builder = new LiveManifestBuilder(
      {
        name: 'all night',
        mimeType: 'video/mp4',
        width: 320,
        height: 240,
        init: { size: 100, sha256: createHash('sha256').update('init').digest('hex') },
        ingest: { mode: 'remux', sourceCodecs: ['h264'] },
        stream: 'abcdefabcdefabcdefabcdefabcdefab',
        window: 0,
        startedAt: '2026-12-03T00:00:00Z',
      },
      KEY,
    );
    const first = builder.append({
      start: 0,
      duration: 1,
      size: 10,
      sha256: createHash('sha256').update('0').digest('hex'),
      captureTime: Date.UTC(2026, 11, 3),
    });
    for (let index = 1; index < CHUNKS; index += 1) {
      builder.append({
        start: index,
        duration: 1,
        size: 10,
        sha256: createHash('sha256').update(String(index)).digest('hex'),
        captureTime: Date.UTC(2026, 11, 3) + index * 1000,
      });
    }
    expect(vi.mocked(signLiveChunk)).toHaveBeenCalledTimes(CHUNKS);
    expect(vi.mocked(signLiveHeader)).toHaveBeenCalledTimes(1);
    const manifest = builder.manifest();
    expect(manifest.chunks).toHaveLength(CHUNKS);
    // The first entry is the very one handed out first: never signed again.
    expect(manifest.chunks[0]).toBe(first);
    expect(signatureProblem(manifest)).toBeNull();
    builder.end('ended');
    expect(vi.mocked(signLiveChunk)).toHaveBeenCalledTimes(CHUNKS);
    expect(vi.mocked(signLiveHeader)).toHaveBeenCalledTimes(2);
  });
});
