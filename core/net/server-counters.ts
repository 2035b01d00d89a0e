import type { InvalidReason } from '../protocol/problems.js';

export interface ServerCounters {
  messagesReceived: number;
  bytesIn: number;
  bytesOut: number;
  repliesSent: number;
  errorRepliesSent: number;
  /** Messages refused before reaching a handler, by reason. */
  invalid: Partial<Record<InvalidReason, number>>;
  invalidTotal: number;
  overloadedReplies: number;
  /** Requests refused (OVERLOADED) because their peer sent more bytes per second than its budget. */
  rateLimited: number;
  /** OVERLOADED / invalid-message replies not sent because the peer's reply budget was spent. */
  throttledReplies: number;
  handlerErrors: number;
  handlerTimeouts: number;
  /** Replies refused by libzmq because the peer had gone (EHOSTUNREACH). */
  unroutable: number;
  /** Replies refused by libzmq because the peer's queue was full (EAGAIN). */
  sendDropped: number;
  peersTracked: number;
  /** Connections open now, as the ROUTER's events report them (ConnectionGate). */
  connectionsOpen: number;
  /** Handshakes the ConnectionGate refused (its ZAP handler asks it). */
  connectionsRefused: number;
  /** CURVE handshakes the ZAP handler let in. */
  handshakesAccepted: number;
  /** CURVE handshakes refused (a key not on the allow list, or the ConnectionGate): those peers never sent a message. */
  handshakesRefused: number;
  /** Key asks answered over UDP (key-responder.ts), and datagrams ignored or past its budget. */
  keyAsksAnswered: number;
  keyAsksIgnored: number;
}

/** The counters a PeerServer adds to; the peer table's, the gate's and the ZAP handler's are read when asked. */
export type ServerTotals = Omit<
  ServerCounters,
  | 'peersTracked'
  | 'connectionsOpen'
  | 'connectionsRefused'
  | 'handshakesAccepted'
  | 'handshakesRefused'
  | 'keyAsksAnswered'
  | 'keyAsksIgnored'
>;

export function newServerTotals(): ServerTotals {
  return {
    messagesReceived: 0,
    bytesIn: 0,
    bytesOut: 0,
    repliesSent: 0,
    errorRepliesSent: 0,
    invalid: {},
    invalidTotal: 0,
    overloadedReplies: 0,
    rateLimited: 0,
    throttledReplies: 0,
    handlerErrors: 0,
    handlerTimeouts: 0,
    unroutable: 0,
    sendDropped: 0,
  };
}
