/**
 * Runs in vitest's main process, which outlives the test workers: whatever happens to a worker (a
 * failed hook, a crash, a timeout), the bed is torn down here at the end, and on SIGINT or SIGTERM
 * before vitest exits. Leftovers of a run killed harder than that (SIGKILL, a power cut) are
 * removed at the next start, by name (test/hosts/netns.ts).
 */
import { bedUnavailable, teardownBed } from './netns.js';

/**
 * Test files that build beds of their own names (`psmap-…`: port-mapping.test.ts; `psupnp-…`:
 * upnp-mapping.test.ts) and clean up after themselves. A run of only these leaves the `psbed-…` bed alone: another run may be using it.
 */
const OWN_BEDS = [/port-mapping/, /upnp-mapping/];

function runsOnlyOwnBeds(): boolean {
  const files = process.argv.slice(2).filter((arg) => arg.endsWith('.test.ts'));
  return files.length > 0 && files.every((file) => OWN_BEDS.some((own) => own.test(file)));
}

export default function setup(): () => void {
  if (bedUnavailable() !== null || runsOnlyOwnBeds()) return () => undefined;
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
