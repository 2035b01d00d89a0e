/**
 * Places parsed fMP4 fragments on the timeline a MediaSource player sees when it appends the init
 * segment and the fragments unchanged (see cutter.ts for why B-frames make the first frame show a
 * little after 0). Times are seconds from the stream's first decode time, so a stream that ffmpeg did
 * not rebase to 0 (a live input joined late) still starts near 0.
 */
import type { FragmentInfo, InitInfo, TrackInfo } from './fmp4-parse.js';

export interface PlacedFragment {
  /** When the timing track's first sample is shown. */
  start: number;
  /** When the last sample of any track ends: the media covered so far. */
  end: number;
  /** When the timing track's last sample ends; where the next keyframe is shown. */
  timingEnd: number;
  startsWithSync: boolean;
}

export class FragmentTimeline {
  private origin: number | null = null;
  private readonly timingTrackId: number;
  end = 0;

  constructor(init: InitInfo) {
    // Video decides where chunks may begin (keyframes); audio-only streams are timed by their audio.
    const timing = init.tracks.find((track) => track.handler === 'vide') ?? init.tracks[0]!;
    this.timingTrackId = timing.id;
  }

  place(info: FragmentInfo): PlacedFragment {
    if (this.origin === null) {
      const starts = info.tracks.map((track) => track.baseDecodeTime / track.timescale);
      this.origin = starts.length > 0 ? Math.min(...starts) : 0;
    }
    const origin = this.origin;
    const timing = info.tracks.find((track) => track.trackId === this.timingTrackId);
    let end = this.end;
    for (const track of info.tracks) end = Math.max(end, track.presentationEnd / track.timescale - origin);
    this.end = end;
    if (timing === undefined) return { start: end, end, timingEnd: end, startsWithSync: false };
    return {
      start: Math.max(0, timing.firstPresentationTime / timing.timescale - origin),
      end,
      timingEnd: timing.presentationEnd / timing.timescale - origin,
      startsWithSync: timing.firstSampleIsSync,
    };
  }
}

/** The MIME type a player passes to MediaSource.addSourceBuffer, video codecs first. */
export function mimeTypeOf(tracks: TrackInfo[]): { mimeType: string; codecs: string[] } {
  const video = tracks.filter((track) => track.handler === 'vide');
  const audio = tracks.filter((track) => track.handler === 'soun');
  const codecs = [...video, ...audio].map((track) => track.codec);
  const kind = video.length > 0 ? 'video' : 'audio';
  return { mimeType: `${kind}/mp4; codecs="${codecs.join(', ')}"`, codecs };
}
