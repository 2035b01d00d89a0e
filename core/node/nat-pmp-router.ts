import type { RemoteInfo, Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { pmpNat } from '@achingbrain/nat-port-mapper';
import { errorMessage } from '../util/errors.js';
import { defaultGateway } from './router-address.js';
import type { Router, RouterFinder, RouterLease } from './router.js';

const NAT_PMP_PORT = 5351;
/** A reply's opcode is the request's plus 128; a map reply carries 16 bytes, an address reply 12. */
const REPLY_SIZES: Record<number, number> = { 128: 12, 129: 16, 130: 16 };

/**
 * Why a datagram on the client's socket is no reply from our router, or null when the library may
 * read it. The library reads a reply without checking its length (a short one throws in its socket
 * handler and would take the node down) nor where it came from (anyone on the LAN could answer for
 * the router): both are checked here first, as RFC 6886 §3.2 and §3.5 ask of a client.
 */
export function natPmpReplyProblem(reply: Buffer, from: RemoteInfo, gateway: string): string | null {
  if (from.address !== gateway || from.port !== NAT_PMP_PORT)
    return `a datagram from ${from.address}:${from.port}, not from the router at ${gateway}:${NAT_PMP_PORT}`;
  if (reply.length < 8) return `a ${reply.length}-byte reply, shorter than any NAT-PMP reply`;
  const opcode = reply.readUInt8(1);
  const result = reply.readUInt16BE(2);
  const size = REPLY_SIZES[opcode];
  if (size === undefined) return `a reply with opcode ${opcode}, which no request of ours asks for`;
  if (result === 0 && reply.length < size)
    return `a ${reply.length}-byte reply to opcode ${opcode - 128}, where ${size} bytes are due`;
  return null;
}

/**
 * NAT-PMP (RFC 6886) through `@achingbrain/nat-port-mapper`'s client, held to what the node needs:
 * its own renewals (the library's are off: its unmap would schedule renewals of the deletion, and it
 * hides the lifetime the router granted), replies checked before the library reads them, and its
 * socket's errors kept from becoming the process's. A request that timed out leaves the library's
 * queue stuck, so a router whose request failed is closed and opened anew by the caller.
 */
class NatPmpRouter implements Router {
  readonly protocol = 'NAT-PMP';
  private readonly client;
  /** The lifetime in the last map reply (the library does not pass it on). */
  private grantedSeconds: number | undefined;
  /** The last reply refused by the check above: a timeout then says what the router sent instead. */
  private badReply: string | undefined;
  private socketError: string | undefined;

  constructor(readonly gateway: string) {
    // ttl is in seconds here: the library writes it into the request as it is.
    this.client = pmpNat(gateway, { autoRefresh: false, description: 'PeerStreamer' });
    const emitter = this.client as unknown as EventEmitter;
    emitter.on('error', (error: unknown) => (this.socketError = errorMessage(error)));
    this.guard((this.client as unknown as { socket?: unknown }).socket);
  }

  private guard(socket: unknown): void {
    if (!(socket instanceof EventEmitter))
      throw new Error('@achingbrain/nat-port-mapper changed: its NAT-PMP client has no socket to guard');
    const udp = socket as Socket;
    const readers = udp.listeners('message') as Array<(reply: Buffer, from: RemoteInfo) => void>;
    udp.removeAllListeners('message');
    udp.on('message', (reply: Buffer, from: RemoteInfo) => {
      const problem = natPmpReplyProblem(reply, from, this.gateway);
      if (problem !== null) {
        this.badReply = problem;
        return;
      }
      if (reply.readUInt8(1) !== 128 && reply.readUInt16BE(2) === 0)
        this.grantedSeconds = reply.readUInt32BE(12);
      for (const read of readers) read.call(udp, reply, from);
    });
  }

  async map(
    port: number,
    localHost: string,
    lifetimeSeconds: number,
    signal: AbortSignal,
  ): Promise<RouterLease> {
    this.grantedSeconds = undefined;
    try {
      const mapping = await this.client.map(port, localHost, {
        protocol: 'tcp',
        externalPort: port,
        ttl: lifetimeSeconds,
        autoRefresh: false,
        signal,
      });
      return {
        externalHost: mapping.externalHost,
        externalPort: mapping.externalPort,
        lifetimeSeconds: Math.min(lifetimeSeconds, this.grantedSeconds ?? lifetimeSeconds),
      };
    } catch (error) {
      throw new Error(this.reason(error), { cause: error });
    }
  }

  async unmap(port: number, signal: AbortSignal): Promise<void> {
    try {
      await this.client.unmap(port, { signal });
    } catch (error) {
      throw new Error(this.reason(error), { cause: error });
    }
  }

  async close(): Promise<void> {
    // Nothing is left to unmap (no renewals were scheduled), so stop only closes the socket.
    await this.client.stop().catch(() => undefined);
  }

  /** A failure in words: what the router said, or why it said nothing we could read. */
  private reason(error: unknown): string {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    if (this.socketError !== undefined) return `its socket failed: ${this.socketError}`;
    if (timedOut && this.badReply !== undefined) return `it answered with ${this.badReply}`;
    if (timedOut) return 'no answer in time (NAT-PMP off, or no NAT-PMP router)';
    return `it refused: ${errorMessage(error)}`;
  }
}

/** NAT-PMP at the default gateway (`gateway` to name another, as the tests do). */
export function natPmpFinder(gateway?: string): RouterFinder {
  return {
    protocol: 'NAT-PMP',
    async open() {
      const address = gateway ?? (await defaultGateway());
      if (address === null) throw new Error('no default gateway in the routing table');
      return new NatPmpRouter(address);
    },
  };
}
