/**
 * What a node's roles register to answer requests, whatever carries the requests: the ZeroMQ
 * PeerServer, or the in-memory network of tests and the simulator (memory-network.ts). Both turn a
 * handler's result or exception into reply frames here, so a role behaves the same over either.
 */
import { askedPath, isPeerStreamerError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { encodeErrorReply, encodeOkReply, errorReplyOf, type Frame } from '../protocol/codec.js';
import { own, isPlainObject } from '../protocol/fields.js';
import type {
  ErrorReply,
  IncomingRequest,
  IncomingRequestOf,
  PeerRef,
  ReplyFields,
  RequestType,
} from '../protocol/messages.js';
import { WireProblem } from '../protocol/problems.js';

export interface PeerContext {
  /** The ZeroMQ routing id of the connection the request arrived on (new after each reconnect). */
  routingId: Buffer;
  /** A short hash of the routing id: the key of this peer's counters. */
  peerId: string;
  /**
   * The sender's CURVE public key (Z85), proven by its routing id (core/net/routing-proof.ts); the
   * one identity a role may act on. Undefined for a connection that proves none (a raw client that
   * set no such routing id): it may ask, but not speak for a node.
   */
  peerKey: string | undefined;
  /**
   * The IP that key's connection came from (the ZAP handler's word for the handshake; the host of
   * the sender's address on the in-memory network), for limits per address. Undefined when unknown.
   */
  peerAddress: string | undefined;
  /** The node name the peer gave in this request or an earlier one on the same connection. */
  declaredName: string | undefined;
  /** Aborted when the handler ran out of time or the server is closing: stop work, nobody will read it. */
  signal: AbortSignal;
}

export interface HandlerResult<K extends RequestType> {
  reply: ReplyFields[K];
  /** The binary frame; required for `get` (the chunk), forbidden otherwise. */
  body?: Uint8Array;
}

export type Handler<K extends RequestType> = (
  request: IncomingRequestOf<K>,
  peer: PeerContext,
) => HandlerResult<K> | Promise<HandlerResult<K>>;

export type AnyHandler = (request: IncomingRequest, peer: PeerContext) => unknown;

/** Where the roles register their handlers. */
export interface RequestRouter {
  /** Registers the handler for one request type (replacing any earlier one). */
  handle<K extends RequestType>(type: K, handler: Handler<K>): this;
  /** Called with a peer's id once its connection is known to be gone. */
  onPeerGone(listener: (peerId: string) => void): void;
}

/** A handler's ok result, checked for its shape; throws WireProblem when it breaks the protocol. */
export function resultOf(
  request: IncomingRequest,
  result: unknown,
): { reply: Record<string, unknown>; body: Uint8Array | undefined } {
  if (!isPlainObject(result) || !isPlainObject(own(result, 'reply'))) {
    throw new WireProblem(
      'bad-field',
      'INTERNAL',
      `the ${request.type} handler returned no { reply } object`,
    );
  }
  return {
    reply: own(result, 'reply') as Record<string, unknown>,
    body: own(result, 'body') as Uint8Array | undefined,
  };
}

/** The frames of a handler's ok result; throws WireProblem when the result breaks the protocol. */
export function resultFrames(request: IncomingRequest, result: unknown): Frame[] {
  const { reply, body } = resultOf(request, result);
  return encodeOkReply(request.id, request.type, reply as never, body);
}

/**
 * The error reply for a handler's exception. A PeerStreamerError travels with its code, message and
 * retry hint; anything else may carry local paths or internals, so it is logged here and the peer is
 * told only that the request failed.
 */
export function errorReplyFor(
  request: IncomingRequest,
  error: unknown,
  serverName: string,
  log: Logger,
): ErrorReply {
  if (isPeerStreamerError(error)) {
    log.debug({ type: request.type, code: error.code }, error.message);
    const retryAfterMs = error.context.retryAfterMs;
    const tryInstead = error.context.tryInstead;
    return errorReplyOf(error.code, error.message, {
      asked: askedPath(error),
      ...(Array.isArray(tryInstead) ? { tryInstead: tryInstead as PeerRef[] } : {}),
      ...(typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs) ? { retryAfterMs } : {}),
    });
  }
  if (error instanceof WireProblem) {
    log.error({ type: request.type }, `handler produced an invalid reply: ${error.message}`);
    return errorReplyOf(
      'INTERNAL',
      `${serverName} produced an invalid ${request.type} reply: ${error.message}`,
    );
  }
  log.error({ err: error, type: request.type }, 'request handler failed');
  return errorReplyOf('INTERNAL', `${serverName} failed to handle ${request.type}; see its log`);
}

/** The frames of errorReplyFor's reply. */
export function errorReplyFrames(
  request: IncomingRequest,
  error: unknown,
  serverName: string,
  log: Logger,
): Frame[] {
  const reply = errorReplyFor(request, error, serverName, log);
  return encodeErrorReply(request.id, reply.code, reply.message, reply);
}
