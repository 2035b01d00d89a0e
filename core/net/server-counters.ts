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
  /** OVERLOADED / invalid-message replies not sent because the peer's reply budget was spent. */
  throttledReplies: number;
  handlerErrors: number;
  handlerTimeouts: number;
  /** Replies refused by libzmq because the peer had gone (EHOSTUNREACH). */
  unroutable: number;
  /** Replies refused by libzmq because the peer's queue was full (EAGAIN). */
  sendDropped: number;
  peersTracked: number;
  /** CURVE handshakes the ZAP handler let in. */
  handshakesAccepted: number;
  /** CURVE handshakes refused (a key not on the allow list): those peers never sent a message. */
  handshakesRefused: number;
  /** Key asks answered over UDP (key-responder.ts), and datagrams ignored or past its budget. */
  keyAsksAnswered: number;
  keyAsksIgnored: number;
}

/** The counters a PeerServer adds to; `peersTracked` is read from its peer table when asked. */
export type ServerTotals = Omit<
  ServerCounters,
  'peersTracked' | 'handshakesAccepted' | 'handshakesRefused' | 'keyAsksAnswered' | 'keyAsksIgnored'
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
    throttledReplies: 0,
    handlerErrors: 0,
    handlerTimeouts: 0,
    unroutable: 0,
    sendDropped: 0,
  };
}
