import type { OkReplyOf, RequestOf, RequestType } from '../protocol/messages.js';

/**
 * The one call node logic makes to other nodes. Implemented over the DEALER pool in core/net; kept
 * as an interface so each role's logic reads as protocol, not sockets.
 */
export interface TransportRequestOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface Transport {
  request<K extends RequestType>(
    address: string,
    request: RequestOf<K>,
    options: TransportRequestOptions,
  ): Promise<{ reply: OkReplyOf<K>; body?: Buffer }>;
}
