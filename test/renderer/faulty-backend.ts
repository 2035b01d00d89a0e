import type { GatewayBackend } from '../../core/gateway/backend.js';
import { PeerStreamerError, type ErrorCode } from '../../core/util/errors.js';

/** Switchable faults between the gateway and a real backend: what a flaky swarm looks like to a player. */
export interface FaultSwitch {
  /** When set, chunk requests (matching `onlyChunks`, if given) fail with this code. */
  chunkCode: ErrorCode | null;
  onlyChunks: ((index: number) => boolean) | null;
  failures: number;
}

export function withFaults(backend: GatewayBackend, faults: FaultSwitch): GatewayBackend {
  return Object.assign(Object.create(backend) as GatewayBackend, {
    async getChunk(name: string, index: number, signal?: AbortSignal) {
      if (faults.chunkCode !== null && (faults.onlyChunks === null || faults.onlyChunks(index))) {
        faults.failures++;
        throw new PeerStreamerError(faults.chunkCode, `injected ${faults.chunkCode} for chunk ${index}`, {});
      }
      return backend.getChunk(name, index, signal);
    },
  });
}
