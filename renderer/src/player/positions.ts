/**
 * Where the viewer left off, per video name, in localStorage: the library shows it and the player
 * resumes from it. Positions within a few seconds of either end are not worth resuming.
 */
const PREFIX = 'peerstreamer.position.';

export interface SavedPosition {
  seconds: number;
  duration: number;
  savedAt: string;
}

export function loadPosition(name: string): SavedPosition | null {
  try {
    const raw = localStorage.getItem(PREFIX + name);
    if (raw === null) return null;
    const parsed = JSON.parse(raw) as Partial<SavedPosition>;
    if (typeof parsed.seconds !== 'number' || typeof parsed.duration !== 'number') return null;
    return { seconds: parsed.seconds, duration: parsed.duration, savedAt: String(parsed.savedAt ?? '') };
  } catch {
    return null;
  }
}

export function savePosition(name: string, seconds: number, duration: number): void {
  try {
    if (seconds < 3 || seconds > duration - 5) {
      localStorage.removeItem(PREFIX + name);
      return;
    }
    const value: SavedPosition = { seconds, duration, savedAt: new Date().toISOString() };
    localStorage.setItem(PREFIX + name, JSON.stringify(value));
  } catch {
    // Storage full or disabled (private mode): resuming is a convenience, playback goes on.
  }
}
