import type { MediaManifest } from '../shared/manifest.js';
import { firstIndex } from '../shared/segments.js';

/**
 * An HLS media playlist (version 7: fMP4 segments need EXT-X-MAP) over the gateway's HLS segment routes
 * (/hls/<name>/init.mp4 and /hls/<name>/<index>.m4s, the same bytes as the API's init and chunk
 * routes), so ffmpeg, mpv and VLC play straight from the swarm. URIs are relative to
 * /hls/<name>.m3u8, which keeps them valid behind any host, port or custom protocol. External players
 * carry no cookie, so when the playlist was fetched with a token, every URI repeats it.
 *
 * A live stream's playlist is a live one: the manifest's chunks as they stand (the DVR window
 * already applied), numbered from the first one listed (EXT-X-MEDIA-SEQUENCE), each dated by its
 * capture time, with EXT-X-ENDLIST only once the stream has ended or failed. Players reload it every
 * target duration. A stream keeping every chunk (window 0) is an EVENT playlist: it only grows.
 */
export function hlsPlaylist(manifest: MediaManifest, token?: string): string {
  const base = encodeURIComponent(manifest.name);
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  const live = manifest.live;
  const first = firstIndex(manifest.chunks);
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${targetDuration(manifest)}`,
    `#EXT-X-MEDIA-SEQUENCE:${first}`,
  ];
  if (live === undefined) lines.push('#EXT-X-PLAYLIST-TYPE:VOD');
  else if (live.window === 0) lines.push('#EXT-X-PLAYLIST-TYPE:EVENT');
  lines.push('#EXT-X-INDEPENDENT-SEGMENTS', `#EXT-X-MAP:URI="${base}/init.mp4${query}"`);
  for (const chunk of manifest.chunks) {
    if (chunk.discontinuity === true) lines.push('#EXT-X-DISCONTINUITY');
    // Each chunk dated, not only the first: a restart's chunks jump in wall time, and players seek
    // and show "behind live" by these dates.
    if (chunk.captureTime !== undefined)
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(chunk.captureTime).toISOString()}`);
    lines.push(`#EXTINF:${(chunk.duration ?? 0).toFixed(6)},`, `${base}/${chunk.index}.m4s${query}`);
  }
  if (live === undefined || live.state !== 'live') lines.push('#EXT-X-ENDLIST');
  lines.push('');
  return lines.join('\n');
}

/**
 * Players must not fetch a segment longer than the target duration; HLS rounds it to an integer,
 * and a live playlist's must not change between reloads. A live stream's chunks are cut at about
 * 1 s, so its target is 2 s, or more only if a listed chunk is longer (an encoder that fell behind).
 */
function targetDuration(manifest: MediaManifest): number {
  const longest = manifest.chunks.reduce((max, chunk) => Math.max(max, chunk.duration ?? 0), 0);
  return Math.max(manifest.live === undefined ? 1 : 2, Math.ceil(longest));
}
