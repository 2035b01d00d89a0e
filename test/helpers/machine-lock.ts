/**
 * A lock held across processes on this machine, for tests that need something the machine has only
 * one of (a fixed port every client binds, as NAT-PMP's 5350): two suites run side by side take
 * turns at it instead of stealing each other's packets. A directory made atomically, naming its
 * holder's pid, so a lock left by a killed run is taken over once its pid is gone.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processAlive } from '../../core/util/process-alive.js';
import { waitFor } from './wait.js';

export async function holdMachineLock(name: string, timeoutMs = 300_000): Promise<() => void> {
  const dir = path.join(os.tmpdir(), `peerstreamer-test-lock-${name}`);
  const owner = path.join(dir, 'pid');
  const tryTake = (): boolean => {
    try {
      mkdirSync(dir);
      writeFileSync(owner, String(process.pid));
      return true;
    } catch {
      const holder = holderOf(owner);
      if (holder !== null && !processAlive(holder)) rmSync(dir, { recursive: true, force: true });
      return false;
    }
  };
  await waitFor(tryTake, `the machine-wide test lock ${dir} (held by another test run)`, timeoutMs);
  return () => rmSync(dir, { recursive: true, force: true });
}

/** The pid a lock names; null while its taker has not yet written it (it is alive then). */
function holderOf(owner: string): number | null {
  try {
    const pid = Number(readFileSync(owner, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
