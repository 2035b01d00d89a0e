/**
 * Whether the user is watching: a <video> in the page is playing. The desktop app holds its updates
 * back while this is true, so the page tells it each time the answer changes - on the media events
 * that change it, and when a player leaves the page (a route change removes the element without a
 * pause event).
 */
export function isWatching(root: ParentNode): boolean {
  return [...root.querySelectorAll('video')].some((video) => !video.paused && !video.ended);
}

const MEDIA_EVENTS = ['play', 'playing', 'pause', 'ended', 'emptied'] as const;

/** Calls `onChange` with each new answer (starting from "not watching"); returns a stop function. */
export function watchPlayback(document: Document, onChange: (watching: boolean) => void): () => void {
  let last = false;
  const check = (): void => {
    const now = isWatching(document);
    if (now === last) return;
    last = now;
    onChange(now);
  };
  // Media events do not bubble; a capturing listener on the document still sees every one.
  for (const type of MEDIA_EVENTS) document.addEventListener(type, check, true);
  const removals = new MutationObserver(check);
  removals.observe(document.body, { childList: true, subtree: true });
  check();
  return () => {
    for (const type of MEDIA_EVENTS) document.removeEventListener(type, check, true);
    removals.disconnect();
    if (last) onChange(false);
  };
}
