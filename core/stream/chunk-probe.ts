/**
 * One `get` asked of one peer only to judge it, not to play: did it send the bytes the manifest names,
 * send others, fall silent, or refuse? A master checking a child a sibling accused (SuspectChecks) and
 * a child checking that a master which lied now serves a good chunk before it goes back to it
 * (MasterFinder) ask the same question.
 */
import type { Transport } from '../net/transport.js';
import type { SegmentRef } from '../shared/manifest.js';
import { errorMessage } from '../util/errors.js';
import { isSilence } from './silence.js';

export type ProbeVerdict =
  | { kind: 'good' }
  /** Bytes that do not match the manifest. */
  | { kind: 'bad-bytes' }
  /** No answer in time, or no connection. */
  | { kind: 'silent'; detail: string }
  /** An error reply: the chunk is not held there, the peer is busy, paused, or failed. */
  | { kind: 'refused'; detail: string };

export interface ChunkProbe {
  video: string;
  index: number;
  /** What the manifest says the chunk is. */
  expected: SegmentRef;
  /** Whether the peer may fetch it from above to answer (a master asked by its child). */
  fetchUpstream: boolean;
  /** Who asks, as `get` names the requester. */
  name: string;
  timeoutMs: number;
  hash(bytes: Uint8Array): Promise<string>;
}

export async function probeChunk(
  transport: Transport,
  address: string,
  probe: ChunkProbe,
): Promise<ProbeVerdict> {
  try {
    const { body } = await transport.request(
      address,
      {
        type: 'get',
        video: probe.video,
        index: probe.index,
        fetchUpstream: probe.fetchUpstream,
        name: probe.name,
      },
      { timeoutMs: probe.timeoutMs },
    );
    const bytes = body ?? Buffer.alloc(0);
    const good = bytes.length === probe.expected.size && (await probe.hash(bytes)) === probe.expected.sha256;
    return good ? { kind: 'good' } : { kind: 'bad-bytes' };
  } catch (error) {
    return isSilence(error)
      ? { kind: 'silent', detail: errorMessage(error) }
      : { kind: 'refused', detail: errorMessage(error) };
  }
}
