/**
 * Every ZeroMQ socket option PeerStreamer sets, declared as data: the libzmq name, the value, why,
 * and what happens when it trips. PeerServer and PeerClient build their sockets from these tables and
 * docs/PROTOCOL.md lists them; change a value here and both follow.
 */
import type * as zmq from 'zeromq';
import { MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_REQUEST_BYTES } from '../protocol/limits.js';

export type RouterOptions = zmq.SocketOptions<zmq.Router>;
export type DealerOptions = zmq.SocketOptions<zmq.Dealer>;

export interface SocketOptionSpec<Options> {
  /** The libzmq option, as in its manual. */
  libzmq: string;
  /** The zeromq.js property name. */
  key: keyof Options & string;
  value: number | boolean;
  why: string;
  whenItTrips: string;
}

/**
 * What CURVE adds to each frame on the wire (a MESSAGE command: its name, a nonce and the box's
 * authenticator, 33 bytes), rounded up. libzmq measures ZMQ_MAXMSGSIZE on the wire, so without it a
 * request of exactly the protocol's limit would be dropped (measured: 65,504 bytes were, 65,503 not).
 */
export const CURVE_FRAME_OVERHEAD = 64;

/** The ROUTER each node binds: it serves requests from every peer. */
export const ROUTER_SOCKET_OPTIONS: readonly SocketOptionSpec<RouterOptions>[] = [
  {
    libzmq: 'ZMQ_MAXMSGSIZE',
    key: 'maxMessageSize',
    value: MAX_REQUEST_BYTES + CURVE_FRAME_OVERHEAD,
    why: 'A request is a single msgpack header of at most 64 KiB (plus what CURVE adds on the wire) (inventories travel in bounded batches); nothing bigger has a reason to arrive. It bounds each frame, so a message of n frames costs at most n x 64 KiB before PeerServer refuses it.',
    whenItTrips:
      "libzmq closes the sender's connection as soon as a frame's length prefix exceeds the limit, before buffering it; JavaScript never sees it. The peer's DEALER reconnects; its requests in flight time out.",
  },
  {
    libzmq: 'ZMQ_SNDHWM',
    key: 'sendHighWaterMark',
    value: 64,
    why: 'Bounds the replies (up to 64 MiB each) queued for one peer that does not read them.',
    whenItTrips:
      "With ZMQ_SNDTIMEO 0 the reply is refused at once (EAGAIN) and counted as sendDropped; other peers are unaffected. The peer's request times out.",
  },
  {
    libzmq: 'ZMQ_RCVHWM',
    key: 'receiveHighWaterMark',
    value: 32,
    why: 'Bounds requests libzmq buffers per connection before JavaScript reads them: 32 x 64 KiB = 2 MiB of single-frame messages (a message of n frames counts once, n x 64 KiB). A PeerClient has at most 16 in flight, and PeerServer reads as fast as messages come, so only a blocked event loop lets the queue fill.',
    whenItTrips:
      "libzmq stops reading that peer's TCP connection until the queue drains: back-pressure, no loss.",
  },
  {
    libzmq: 'ZMQ_SNDTIMEO',
    key: 'sendTimeout',
    value: 0,
    why: "A ROUTER with ZMQ_ROUTER_MANDATORY would otherwise wait when one peer's queue is full, stalling replies to every peer.",
    whenItTrips: 'send() rejects with EAGAIN; the reply is dropped and counted (sendDropped).',
  },
  {
    libzmq: 'ZMQ_ROUTER_MANDATORY',
    key: 'mandatory',
    value: true,
    why: 'A reply to a peer that has disconnected should fail visibly rather than vanish.',
    whenItTrips: 'send() rejects with EHOSTUNREACH; the reply is dropped and counted (unroutable).',
  },
  {
    libzmq: 'ZMQ_LINGER',
    key: 'linger',
    value: 0,
    why: 'Replies still queued at close() are worthless to a node that is stopping, and a non-zero linger keeps the process alive at exit.',
    whenItTrips: 'Queued replies are discarded at close(); their requesters time out.',
  },
  {
    libzmq: 'ZMQ_CURVE_SERVER',
    key: 'curveServer',
    value: true,
    why: "Every connection is CURVE: encrypted, and the client proves its key. The server's key pair is the node's (set per server, with ZMQ_ZAP_DOMAIN for its ZAP handler).",
    whenItTrips:
      'A client without CURVE, or expecting another server key, fails the handshake; libzmq closes the connection and nothing reaches JavaScript.',
  },
  {
    libzmq: 'ZMQ_ROUTER_HANDOVER',
    key: 'handover',
    value: false,
    why: "A routing id carries a key and a proof (routing-proof.ts) and is new for each DEALER, so a duplicate can only be a replay of another connection's id: the connection already there keeps it.",
    whenItTrips: 'libzmq ignores the second connection with an id already in use; its requests time out.',
  },
  {
    libzmq: 'ZMQ_HANDSHAKE_IVL',
    key: 'handshakeInterval',
    value: 5000,
    why: 'A TCP connection that never completes the ZMTP greeting (a port scanner, a stuck peer) should not hold resources.',
    whenItTrips: 'libzmq closes the connection.',
  },
  {
    libzmq: 'ZMQ_HEARTBEAT_IVL',
    key: 'heartbeatInterval',
    value: 5000,
    why: 'Detects peers that vanished without closing TCP (power loss, network cut) so their routing ids stop accepting replies.',
    whenItTrips: 'Sends a ZMTP PING every 5 s on each connection.',
  },
  {
    libzmq: 'ZMQ_HEARTBEAT_TIMEOUT',
    key: 'heartbeatTimeout',
    value: 15_000,
    why: 'See ZMQ_HEARTBEAT_IVL.',
    whenItTrips:
      'No traffic for 15 s after a PING: libzmq closes the connection; later replies to it are unroutable.',
  },
];

/** The DEALERs a node's PeerClient opens, one per remote address. */
export const DEALER_SOCKET_OPTIONS: readonly SocketOptionSpec<DealerOptions>[] = [
  {
    libzmq: 'ZMQ_MAXMSGSIZE',
    key: 'maxMessageSize',
    value: Math.max(MAX_BODY_BYTES, MAX_HEADER_BYTES) + CURVE_FRAME_OVERHEAD,
    why: 'The largest frame a reply has: a 64 MiB chunk (headers are at most 8 MiB), plus what CURVE adds on the wire.',
    whenItTrips:
      'libzmq drops the connection to that server and reconnects; the request (and any others in flight to it) time out.',
  },
  {
    libzmq: 'ZMQ_IMMEDIATE',
    key: 'immediate',
    value: true,
    why: 'Requests are queued only on completed connections, so a request to a node that is down is not silently parked in a pipe and replayed minutes later.',
    whenItTrips:
      "send() cannot go at once; PeerClient waits for the connection at most until the request's deadline (see ZMQ_SNDTIMEO), then fails it UNREACHABLE.",
  },
  {
    libzmq: 'ZMQ_SNDTIMEO',
    key: 'sendTimeout',
    value: 0,
    why: "The common case (connected, below the high-water mark) must not wait; only when a send cannot go at once is the timeout raised to what is left of that request's deadline, then reset to 0.",
    whenItTrips:
      "send() rejects with EAGAIN once the request's deadline passes without a connection; the request fails UNREACHABLE.",
  },
  {
    libzmq: 'ZMQ_SNDHWM',
    key: 'sendHighWaterMark',
    value: 1000,
    why: 'PeerClient already caps requests in flight per remote far below this; the mark is a backstop.',
    whenItTrips: 'send() waits; requests queue in JavaScript behind it and time out at their deadlines.',
  },
  {
    libzmq: 'ZMQ_RCVHWM',
    key: 'receiveHighWaterMark',
    value: 1000,
    why: 'Backstop on replies buffered before JavaScript reads them.',
    whenItTrips: 'libzmq stops reading the connection until JavaScript catches up: back-pressure, no loss.',
  },
  {
    libzmq: 'ZMQ_LINGER',
    key: 'linger',
    value: 0,
    why: 'Closing an idle or dead connection must not wait for unsent requests, and must not keep the process alive at exit.',
    whenItTrips: 'Unsent requests are discarded at close(); PeerClient has already failed them.',
  },
  {
    libzmq: 'ZMQ_RECONNECT_IVL',
    key: 'reconnectInterval',
    value: 100,
    why: 'A peer restarted on the same port is reached again quickly.',
    whenItTrips: 'libzmq retries the TCP connect every 100 ms, doubling up to ZMQ_RECONNECT_IVL_MAX.',
  },
  {
    libzmq: 'ZMQ_RECONNECT_IVL_MAX',
    key: 'reconnectMaxInterval',
    value: 2000,
    why: 'Backs off from a peer that stays down without waiting more than 2 s once it is back.',
    whenItTrips: 'Reconnect attempts settle at one every 2 s.',
  },
  {
    libzmq: 'ZMQ_HANDSHAKE_IVL',
    key: 'handshakeInterval',
    value: 5000,
    why: 'A listener that accepts TCP but never speaks ZMTP should not hold the connection.',
    whenItTrips: 'libzmq closes the connection and reconnects.',
  },
  {
    libzmq: 'ZMQ_HEARTBEAT_IVL',
    key: 'heartbeatInterval',
    value: 2000,
    why: 'Detects a server that vanished without closing TCP, so libzmq reconnects instead of writing into a dead connection.',
    whenItTrips: 'Sends a ZMTP PING every 2 s.',
  },
  {
    libzmq: 'ZMQ_HEARTBEAT_TIMEOUT',
    key: 'heartbeatTimeout',
    value: 6000,
    why: 'See ZMQ_HEARTBEAT_IVL.',
    whenItTrips:
      'No traffic for 6 s after a PING: libzmq drops the connection and reconnects; requests in flight time out.',
  },
];

/** Turns a table into the constructor options object, with caller overrides applied last. */
export function socketOptions<Options>(
  specs: readonly SocketOptionSpec<Options>[],
  overrides: Partial<Options> = {},
): Partial<Options> {
  const options: Record<string, unknown> = {};
  for (const spec of specs) options[spec.key] = spec.value;
  return { ...(options as Partial<Options>), ...overrides };
}
