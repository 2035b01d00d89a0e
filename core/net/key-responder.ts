/**
 * Answers key asks (key-datagram.ts) on the UDP port with the number of the node's TCP port, so a
 * peer given a bare `tcp://host:port` can learn the key CURVE needs. It answers exact asks only,
 * with less than it was sent, and at most `perSecond` answers a second in all: a flood of asks, from
 * one source or forged ones, costs a bounded trickle of small answers. Nothing it receives can
 * throw out of it; what it ignored is counted.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '../util/logger.js';
import { answerDatagram, isAsk } from './key-datagram.js';
import { TokenBucket } from './token-bucket.js';

export interface KeyResponderCounters {
  answered: number;
  /** Datagrams that were not an ask. */
  ignored: number;
  /** Asks past the answer budget. */
  throttled: number;
}

export class KeyResponder {
  private socket: Socket | undefined;
  private readonly budget: TokenBucket;
  private readonly answer: Buffer;
  readonly counters: KeyResponderCounters = { answered: 0, ignored: 0, throttled: 0 };

  constructor(
    publicKey: string,
    private readonly log: Logger,
    perSecond = 200,
  ) {
    this.answer = answerDatagram(publicKey);
    this.budget = new TokenBucket(perSecond, Date.now());
  }

  /** Binds `host:port` (the ROUTER's); rejects when the UDP port is taken. */
  bind(host: string, port: number): Promise<void> {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    this.socket = socket;
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        socket.on('error', (error) => this.log.warn({ err: error }, 'key responder socket error'));
        socket.on('message', (datagram, from) => this.onDatagram(socket, datagram, from.address, from.port));
        resolve();
      });
    });
  }

  private onDatagram(socket: Socket, datagram: Buffer, address: string, port: number): void {
    if (!isAsk(datagram)) {
      this.counters.ignored += 1;
      return;
    }
    if (!this.budget.take(Date.now())) {
      this.counters.throttled += 1;
      return;
    }
    this.counters.answered += 1;
    socket.send(this.answer, port, address, (error) => {
      if (error) this.log.debug({ err: error, to: address }, 'key answer not sent');
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    return new Promise((resolve) => {
      if (socket === undefined) return resolve();
      try {
        socket.close(() => resolve());
      } catch {
        resolve(); // its bind failed, which closed it already
      }
    });
  }
}
