import { describe, expect, it } from 'vitest';
import { legacyManifest, type MediaManifest } from '../../core/shared/manifest.js';
import {
  INIT_INDEX,
  chunkKey,
  describeSegment,
  missingSegmentReason,
  segmentRef,
  chunkKeyParts,
  chunkEntry,
  endIndex,
  firstIndex,
  positionOf,
} from '../../core/shared/segments.js';
import { windowedLive } from '../helpers/windowed-live.js';

const media: MediaManifest = {
  version: 1,
  kind: 'fmp4',
  name: 'clip',
  mimeType: 'video/mp4; codecs="avc1.64001f"',
  duration: 4,
  width: 320,
  height: 240,
  init: { size: 700, sha256: 'a'.repeat(64) },
  chunks: [
    { index: 0, start: 0, duration: 2, size: 1000, sha256: 'b'.repeat(64) },
    { index: 1, start: 2, duration: 2, size: 900, sha256: 'c'.repeat(64) },
  ],
  createdAt: '2026-12-01T00:00:00.000Z',
  ingest: { mode: 'remux', sourceCodecs: ['h264'] },
};
const legacy = legacyManifest('old', [{ size: 10, sha256: 'd'.repeat(64) }]);

describe('segments: one home for the init segment and chunk keys', () => {
  it('segmentRef gives the init segment for INIT_INDEX, a chunk by index, and nothing past the end', () => {
    expect(segmentRef(media, INIT_INDEX)).toEqual({ size: 700, sha256: 'a'.repeat(64) });
    expect(segmentRef(media, 1)).toEqual({ size: 900, sha256: 'c'.repeat(64) });
    expect(segmentRef(media, 2)).toBeUndefined();
    expect(segmentRef(legacy, INIT_INDEX)).toBeUndefined();
    expect(segmentRef(legacy, 0)).toEqual({ size: 10, sha256: 'd'.repeat(64) });
  });

  it('says what is missing in one sentence naming the video', () => {
    expect(missingSegmentReason(media, 5)).toBe('"clip" has chunks 0 to 1; there is no chunk 5.');
    expect(missingSegmentReason(legacy, INIT_INDEX)).toBe(
      '"old" is a legacy byte-split video and has no init segment.',
    );
    expect(describeSegment(INIT_INDEX)).toBe('the init segment');
    expect(describeSegment(3)).toBe('chunk 3');
  });

  it('chunk keys tell pieces and videos apart, and give the video back', () => {
    const keys = new Set([chunkKey('a', 1), chunkKey('a', 11), chunkKey('a1', 1), chunkKey('a', INIT_INDEX)]);
    expect(keys.size).toBe(4);
    expect(chunkKeyParts(chunkKey('a video: with colons', 7))).toEqual({
      video: 'a video: with colons',
      index: 7,
    });
    expect(chunkKeyParts(chunkKey('v', INIT_INDEX))).toEqual({ video: 'v', index: INIT_INDEX });
  });

  it('a list that starts above 0 (a live stream whose window slid): indexes, ends and places', () => {
    const live = windowedLive().manifest;
    expect(firstIndex(live.chunks)).toBe(40);
    expect(endIndex(live.chunks)).toBe(60);
    expect(positionOf(live.chunks, 45)).toBe(5);
    expect(chunkEntry(live, 45)?.start).toBe(45);
    expect(chunkEntry(live, 5)).toBeUndefined();
    expect(chunkEntry(live, 60)).toBeUndefined();
    expect(missingSegmentReason(live, 5)).toBe('"cam" has chunks 40 to 59; there is no chunk 5.');
    // An on-demand list starts at 0; an empty one has nothing to read.
    expect([firstIndex(media.chunks), endIndex(media.chunks), positionOf(media.chunks, 1)]).toEqual([
      0, 2, 1,
    ]);
    expect([firstIndex([]), endIndex([])]).toEqual([0, 0]);
  });
});
