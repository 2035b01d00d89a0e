/**
 * Whether the user is watching: the player says so from its own media events (play, pause, ended)
 * and when it goes away. The desktop app holds its updates back while a video plays, so each change
 * goes to the app at once; the update notice listens too, and hides while a video plays.
 */
import { desktopBridge } from './settings.ts';

let watching = false;
const listeners = new Set<(watching: boolean) => void>();

/** Called by the player; repeats of the same answer are dropped. */
export function reportWatching(now: boolean): void {
  if (now === watching) return;
  watching = now;
  desktopBridge()
    ?.reportWatching(now)
    .catch((error: unknown) => console.warn('could not report playback', error));
  for (const listener of listeners) listener(now);
}

export function isWatching(): boolean {
  return watching;
}

/** Calls `listener` with each change; returns a function that stops it. */
export function onWatchingChange(listener: (watching: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
