export interface ClientCounters {
  requestsSent: number;
  repliesReceived: number;
  errorReplies: number;
  timeouts: number;
  unreachable: number;
  /** Replies that failed validation. */
  invalidReplies: number;
  /** Replies whose id matches no request we sent: dropped. */
  unknownReplies: number;
  /** Replies to requests we had already given up on (timed out or aborted): dropped. */
  lateReplies: number;
  bytesOut: number;
  bytesIn: number;
  connectionsOpened: number;
  connectionsClosed: number;
}

export function newClientCounters(): ClientCounters {
  return {
    requestsSent: 0,
    repliesReceived: 0,
    errorReplies: 0,
    timeouts: 0,
    unreachable: 0,
    invalidReplies: 0,
    unknownReplies: 0,
    lateReplies: 0,
    bytesOut: 0,
    bytesIn: 0,
    connectionsOpened: 0,
    connectionsClosed: 0,
  };
}
