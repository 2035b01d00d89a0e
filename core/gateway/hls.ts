import type { MediaManifest } from '../shared/manifest.js';

/**
 * An HLS media playlist (version 7: fMP4 segments need EXT-X-MAP) over the gateway's HLS segment routes
 * (/hls/<name>/init.mp4 and /hls/<name>/<index>.m4s, the same bytes as the API's init and chunk
 * routes), so ffmpeg, mpv and VLC play straight from the swarm. URIs are relative to
 * /hls/<name>.m3u8, which keeps them valid behind any host, port or custom protocol. External players
 * carry no cookie, so when the playlist was fetched with a token, every URI repeats it.
 */
export function hlsPlaylist(manifest: MediaManifest, token?: string): string {
  const base = encodeURIComponent(manifest.name);
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  // Players must not fetch a segment longer than the target duration; HLS rounds it to an integer.
  const longest = manifest.chunks.reduce((max, chunk) => Math.max(max, chunk.duration ?? 0), 0);
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${Math.max(1, Math.ceil(longest))}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MAP:URI="${base}/init.mp4${query}"`,
  ];
  for (const chunk of manifest.chunks) {
    lines.push(`#EXTINF:${(chunk.duration ?? 0).toFixed(6)},`, `${base}/${chunk.index}.m4s${query}`);
  }
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}
