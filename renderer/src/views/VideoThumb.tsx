import { useState } from 'react';
import { api } from '../api/client.ts';
import type { LibraryEntry } from '../api/types.ts';
import { formatTime } from '../ui/format.ts';

interface Props {
  video: LibraryEntry;
  /** Where the viewer stopped, to draw the resume bar. */
  saved: { seconds: number; duration: number } | null;
}

/**
 * The picture at the top of a library card: the video's poster frame over the gradient, or the
 * gradient alone when there is none (older videos, audio, a poster this node cannot get now, or an
 * image that fails to load).
 */
export function VideoThumb({ video, saved }: Props) {
  const [failed, setFailed] = useState<string | null>(null);
  const poster = video.posterSha256 !== null && failed !== video.posterSha256 ? video.posterSha256 : null;
  return (
    <div className={`thumb ${poster !== null ? 'has-poster' : ''}`} aria-hidden="true" data-testid="thumb">
      {poster !== null && (
        <img
          className="thumb-poster"
          data-testid="poster"
          src={api.posterUrl(video.name, poster)}
          alt=""
          loading="lazy"
          decoding="async"
          onError={() => setFailed(poster)}
        />
      )}
      <span className="thumb-play">▶</span>
      {video.duration !== null && <span className="thumb-duration">{formatTime(video.duration)}</span>}
      {saved !== null && (
        <span className="thumb-progress" style={{ width: `${(saved.seconds / saved.duration) * 100}%` }} />
      )}
    </div>
  );
}
