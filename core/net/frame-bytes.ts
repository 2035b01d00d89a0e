import type { Frame } from '../protocol/codec.js';

/** A message's size on the wire as the byte counters report it: its frames' payloads, no framing. */
export function frameBytes(frames: readonly Frame[]): number {
  let total = 0;
  for (const frame of frames) total += frame.byteLength;
  return total;
}
