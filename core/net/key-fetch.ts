/**
 * Asks a node for its public key over UDP (see key-datagram.ts): the ask is sent up to three times
 * within the time given, since a datagram may be lost, and only an answer from the address asked is
 * read (the socket is connected to it). A datagram that is not an answer is skipped, so garbage
 * from elsewhere cannot fail the ask, only a valid key can end it.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { askDatagram, readAnswer } from './key-datagram.js';

const TRIES = 3;

export function fetchServerKey(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const timers: NodeJS.Timeout[] = [];
    let lastProblem = 'no answer';
    let done = false;
    const finish = (outcome: { key: string } | { error: Error }): void => {
      if (done) return;
      done = true;
      for (const timer of timers) clearTimeout(timer);
      socket.close();
      if ('key' in outcome) resolve(outcome.key);
      else reject(outcome.error);
    };
    const ask = (): void => {
      if (!done) socket.send(askDatagram(), (error) => error && (lastProblem = error.message));
    };
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const what = error.code === 'ECONNREFUSED' ? 'nothing listens' : error.message;
      finish({ error: new Error(`${what} on UDP ${host}:${port}`, { cause: error }) });
    });
    socket.on('message', (datagram) => {
      const answer = readAnswer(datagram);
      if ('key' in answer) finish(answer);
      else lastProblem = answer.problem;
    });
    // A connect that fails at once (no route to a private address behind a NAT: ENETUNREACH; a
    // broadcast address: EACCES) comes to this callback, not to 'error', and leaves the socket
    // unconnected, where send(datagram, callback) throws ERR_SOCKET_BAD_PORT and would end the
    // process: a registering child's address is enough to reach here (the master's dial-back).
    socket.connect(port, host, (error?: Error) => {
      if (error !== undefined && error !== null) {
        finish({ error: new Error(`${error.message} on UDP ${host}:${port}`, { cause: error }) });
        return;
      }
      // The first ask goes now: a timer, even of 0 ms, waits at least 1 ms, most of a loopback ask's
      // round trip, and a cold first chunk pays it once per new peer.
      ask();
      for (let attempt = 1; attempt < TRIES; attempt++) {
        timers.push(setTimeout(ask, (attempt * timeoutMs) / TRIES));
      }
    });
    timers.push(
      setTimeout(
        () => finish({ error: new Error(`${lastProblem} on UDP ${host}:${port} within ${timeoutMs} ms`) }),
        timeoutMs,
      ),
    );
  });
}
