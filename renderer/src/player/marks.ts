/**
 * Performance marks on the way from opening a video to its first frame, so the time to first frame
 * can be split into its phases (the benchmark reads them with performance.getEntriesByType('mark')).
 * Names are prefixed so they never collide with marks of video.js or React; each opening clears the
 * previous one's, so the buffer stays small however many videos a session opens.
 */
export type FirstFrameMark =
  | 'open'
  | 'manifest-start'
  | 'manifest-done'
  | 'player-mount'
  | 'sourceopen'
  | 'init-fetched'
  | 'init-appended'
  | 'first-chunk-fetched'
  | 'first-chunk-appended'
  | 'first-frame'
  | 'controls-ready';

const PREFIX = 'ps:';

export function markFirstFrame(name: FirstFrameMark): void {
  performance.mark(PREFIX + name);
}

/** Starts a new opening: drops the marks of the previous one and marks 'open'. */
export function markOpen(): void {
  for (const entry of performance.getEntriesByType('mark')) {
    if (entry.name.startsWith(PREFIX)) performance.clearMarks(entry.name);
  }
  markFirstFrame('open');
}
