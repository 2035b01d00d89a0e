/**
 * How a node grows its copy of a live stream from an announcement (core/node/live-relay.ts `grow`):
 * the new chunks added in order under the announced header, the DVR window kept, and nothing at all
 * when the announcement is another stream or chunks are missing in between (the node then asks its
 * master for the whole manifest). Over manifests the source's own builder signs.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { grow } from '../../core/node/live-relay.js';
import type { LiveManifest } from '../../core/shared/manifest.js';
import { LiveManifestBuilder, newLiveStreamId } from '../../core/trust/live-manifest-builder.js';
import { signatureProblem } from '../../core/trust/manifest-signature.js';
import { publisherKeyPairFromSeed } from '../../core/trust/publisher-key.js';

const KEY = publisherKeyPairFromSeed(new Uint8Array(32).fill(5));
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

function builder(window = 0, stream = newLiveStreamId()): LiveManifestBuilder {
  return new LiveManifestBuilder(
    {
      name: 'talk',
      mimeType: 'video/mp4; codecs="avc1.64001f"',
      width: 320,
      height: 180,
      init: { size: 700, sha256: sha('init') },
      ingest: { mode: 'transcode', sourceCodecs: ['rawvideo'] },
      stream,
      window,
      startedAt: '2026-12-03T09:00:00.000Z',
    },
    KEY,
  );
}

const appended = new WeakMap<LiveManifestBuilder, number>();

/** Appends 1 s chunks until the stream is `seconds` long; the manifest as it then stands. */
function appendUntil(live: LiveManifestBuilder, seconds: number): LiveManifest {
  for (let at = appended.get(live) ?? 0; at < seconds; at++) {
    appended.set(live, at + 1);
    live.append({
      start: at,
      duration: 1,
      size: 100 + at,
      sha256: sha(`${at}`),
      captureTime: 1_796_000_000_000 + at * 1000,
    });
  }
  return live.manifest();
}

/** What the relay announces: the header and the newest few chunks. */
const newest = (manifest: LiveManifest, count: number): LiveManifest => ({
  ...manifest,
  chunks: manifest.chunks.slice(-count),
});

describe('grow: a live copy and an announcement', () => {
  it('adds the chunks it lacks, in order, and the result is the source’s manifest', () => {
    const live = builder();
    const held = appendUntil(live, 5);
    const now = appendUntil(live, 8);
    const grown = grow(held, newest(now, 4))!;
    expect(grown).toEqual(now);
    expect(signatureProblem(grown)).toBeNull();
  });

  it('takes the announced header, so an end reaches the copy signed', () => {
    const live = builder();
    const held = appendUntil(live, 3);
    live.end('ended');
    const grown = grow(held, newest(live.manifest(), 1))!;
    expect(grown.live.state).toBe('ended');
    expect(signatureProblem(grown)).toBeNull();
  });

  it('keeps the stream’s DVR window', () => {
    const live = builder(4);
    const held = appendUntil(live, 4);
    const now = appendUntil(live, 7);
    const grown = grow(held, newest(now, 3))!;
    expect(grown.chunks.map((chunk) => chunk.index)).toEqual(now.chunks.map((chunk) => chunk.index));
    expect(grown.chunks[0]!.index).toBe(3);
  });

  it('gives nothing for a gap or another stream', () => {
    const live = builder();
    const held = appendUntil(live, 3);
    const later = appendUntil(live, 9);
    expect(grow(held, newest(later, 4))).toBeNull();
    const other = appendUntil(builder(), 5);
    expect(grow(held, newest(other, 2))).toBeNull();
  });
});
