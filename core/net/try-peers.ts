/**
 * "Ask these peers in order until one answers": the fallback pattern of streaming (siblings first,
 * then the master). Any failure of one peer (timeout, no connection, refusal, or an answer `accept`
 * rejects, such as a wrong checksum) moves on to the next; an abort or a bug in our own request
 * does not.
 */
import { PeerStreamerError, errorMessage, isPeerStreamerError } from '../util/errors.js';
import type { RequestOf, RequestType } from '../protocol/messages.js';
import type { ClientReply, PeerClient } from './client.js';
import type { RequestOptions } from './transport.js';

export type TryPeersResult<K extends RequestType> = ClientReply<K> & {
  /** The peer that answered. */
  address: string;
  /** Peers tried before it, and why each was passed over. */
  failures: Array<{ address: string; error: unknown }>;
};

export interface TryPeersOptions<K extends RequestType> extends Partial<RequestOptions> {
  /** Returns why an ok reply is not good enough (e.g. checksum mismatch), or null to accept it. */
  accept?: (result: ClientReply<K>, address: string) => string | null;
}

export async function tryPeers<K extends RequestType>(
  client: PeerClient,
  addresses: readonly string[],
  request: RequestOf<K>,
  options: TryPeersOptions<K> = {},
): Promise<TryPeersResult<K>> {
  const failures: Array<{ address: string; error: unknown }> = [];
  for (const address of addresses) {
    if (options.signal?.aborted) throw options.signal.reason;
    try {
      const result = await client.request(address, request, options);
      const refusal = options.accept?.(result, address) ?? null;
      if (refusal === null) return Object.assign(result, { address, failures });
      failures.push({
        address,
        error: new PeerStreamerError(
          'PROTOCOL',
          `${address} answered ${request.type} unacceptably: ${refusal}`,
          {
            address,
            type: request.type,
          },
        ),
      });
    } catch (error) {
      if (options.signal?.aborted || isPeerStreamerError(error, 'INVALID_ARGUMENT')) throw error;
      failures.push({ address, error });
    }
  }
  const summary = failures.map((f) => `${f.address}: ${errorMessage(f.error)}`).join('; ');
  throw new PeerStreamerError(
    'UNREACHABLE',
    addresses.length === 0
      ? `no peer to ask for ${request.type}`
      : `none of ${addresses.length} peers answered ${request.type} (${summary})`,
    { type: request.type, failures },
  );
}
