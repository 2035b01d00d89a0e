import { lstatSync } from 'node:fs';

/**
 * What an `-o` path names before the command writes to it. `-o /dev/null` (or a FIFO a player reads)
 * is a common way to run a command for its side effects; such a file must never be renamed over or
 * deleted on failure, which for /dev/null as root would break every program on the machine.
 */
export type OutputKind = 'absent' | 'regular' | 'special';

export function outputKind(outputPath: string): OutputKind {
  try {
    return lstatSync(outputPath).isFile() ? 'regular' : 'special';
  } catch {
    return 'absent';
  }
}

/** True when a failed command may delete what it wrote at `outputPath`: a plain file it created. */
export function mayRemoveOnFailure(before: OutputKind, outputPath: string): boolean {
  return before === 'absent' && outputKind(outputPath) === 'regular';
}
