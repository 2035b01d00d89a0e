import type { OkReplyOf, RequestOf, RequestType } from '../protocol/messages.js';

/** How long one request may take, and a signal that abandons it. */
export interface RequestOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * The one call node logic makes to other nodes. Implemented over the DEALER pool in core/net; kept
 * as an interface so each role's logic reads as protocol, not sockets.
 */
export interface Transport {
  request<K extends RequestType>(
    address: string,
    request: RequestOf<K>,
    options: RequestOptions,
  ): Promise<{ reply: OkReplyOf<K>; body?: Buffer }>;
}
