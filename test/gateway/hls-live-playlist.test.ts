/**
 * A live stream's HLS playlist: a sliding window numbered from its first listed chunk, each chunk
 * dated by its capture time, a discontinuity where the input restarted, and no ENDLIST until the
 * stream ends. Built over manifests the source's own LiveManifestBuilder signs.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hlsPlaylist } from '../../core/gateway/hls.js';
import { LiveManifestBuilder, newLiveStreamId } from '../../core/trust/live-manifest-builder.js';
import { publisherKeyPairFromSeed } from '../../core/trust/publisher-key.js';

const KEY = publisherKeyPairFromSeed(new Uint8Array(32).fill(7));
const STARTED = Date.UTC(2026, 11, 3, 9, 0, 0);

function stream(window: number): LiveManifestBuilder {
  return new LiveManifestBuilder(
    {
      name: 'all hands',
      mimeType: 'video/mp4; codecs="avc1.64001f, mp4a.40.2"',
      width: 1280,
      height: 720,
      init: { size: 900, sha256: createHash('sha256').update('init').digest('hex') },
      ingest: { mode: 'remux', sourceCodecs: ['h264', 'aac'] },
      stream: newLiveStreamId(),
      window,
      startedAt: new Date(STARTED).toISOString(),
    },
    KEY,
  );
}

function append(builder: LiveManifestBuilder, at: number, discontinuity = false): void {
  builder.append({
    start: at,
    duration: 1,
    size: 4_000,
    sha256: createHash('sha256').update(`chunk at ${at}`).digest('hex'),
    captureTime: STARTED + at * 1000 + (discontinuity ? 30_000 : 0),
    ...(discontinuity ? { discontinuity: true } : {}),
  });
}

const lines = (text: string): string[] => text.trim().split('\n');

describe('a live HLS playlist', () => {
  it('slides with the DVR window: numbered from its first chunk, dated, with no ENDLIST while live', () => {
    const builder = stream(5);
    for (let at = 0; at < 12; at++) append(builder, at);
    const playlist = lines(hlsPlaylist(builder.manifest(), 'tok'));
    const first = builder.manifest().chunks[0]!.index;
    expect(first).toBeGreaterThan(0);
    expect(playlist).toContain(`#EXT-X-MEDIA-SEQUENCE:${first}`);
    expect(playlist).toContain('#EXT-X-TARGETDURATION:2');
    expect(playlist.some((line) => line.startsWith('#EXT-X-PLAYLIST-TYPE'))).toBe(false);
    expect(playlist).not.toContain('#EXT-X-ENDLIST');
    const uris = playlist.filter((line) => !line.startsWith('#'));
    expect(uris[0]).toBe(`all%20hands/${first}.m4s?token=tok`);
    expect(uris.at(-1)).toBe('all%20hands/11.m4s?token=tok');
    const dates = playlist.filter((line) => line.startsWith('#EXT-X-PROGRAM-DATE-TIME:'));
    expect(dates).toHaveLength(uris.length);
    expect(dates.at(-1)).toBe(`#EXT-X-PROGRAM-DATE-TIME:${new Date(STARTED + 11_000).toISOString()}`);
  });

  it('keeps every chunk as an EVENT playlist, and ends it with ENDLIST once the stream ends', () => {
    const builder = stream(0);
    for (let at = 0; at < 3; at++) append(builder, at);
    const live = lines(hlsPlaylist(builder.manifest()));
    expect(live).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(live).toContain('#EXT-X-MEDIA-SEQUENCE:0');
    expect(live).not.toContain('#EXT-X-ENDLIST');
    builder.end('ended');
    expect(lines(hlsPlaylist(builder.manifest())).at(-1)).toBe('#EXT-X-ENDLIST');
  });

  it('marks where the input restarted, and ends a failed stream too', () => {
    const builder = stream(0);
    append(builder, 0);
    append(builder, 1, true);
    builder.end('failed');
    const playlist = lines(hlsPlaylist(builder.manifest()));
    const marker = playlist.indexOf('#EXT-X-DISCONTINUITY');
    expect(marker).toBeGreaterThan(playlist.indexOf('all%20hands/0.m4s'));
    expect(marker).toBeLessThan(playlist.indexOf('all%20hands/1.m4s'));
    expect(playlist.at(-1)).toBe('#EXT-X-ENDLIST');
  });
});
