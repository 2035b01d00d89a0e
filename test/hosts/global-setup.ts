/**
 * Runs in vitest's main process, which outlives the test workers: whatever happens to a worker (a
 * failed hook, a crash, a timeout), the bed is torn down here at the end, and on SIGINT or SIGTERM
 * before vitest exits. Leftovers of a run killed harder than that (SIGKILL, a power cut) are
 * removed at the next start, by name (test/hosts/netns.ts).
 */
import { bedUnavailable, teardownBed } from './netns.js';

export default function setup(): () => void {
  if (bedUnavailable() !== null) return () => undefined;
  teardownBed();
  const onSignal = (signal: NodeJS.Signals): void => {
    teardownBed();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    teardownBed();
  };
}
