import type { RegisterRequest } from '../../core/protocol/messages.js';

/** A raw host's register for `name` at `address`, holding `indexes` of "movie" under `digest`. */
export function movieHolderRegister(
  name: string,
  address: string,
  digest: string,
  indexes: number[],
): RegisterRequest & { type: 'register' } {
  return {
    type: 'register',
    name,
    nodeId: `${name}-id`,
    address,
    role: 'child',
    seeding: true,
    chunks: [{ video: 'movie', digest, indexes }],
    capacity: { maxInFlight: 1_000, uploadBytesPerSecond: 0, storeBytes: 0 },
  };
}
