/**
 * The ZAP handler (ZeroMQ RFC 27) of one PeerServer: libzmq asks it, on the `inproc://zeromq.zap.01`
 * endpoint of the server's own context, whether a peer that completed the CURVE handshake may in.
 * An open swarm lets every key in; with an allow list (`--allow`), any other key is refused here,
 * before it can send a single message (ZAP status 400), and counted.
 *
 * Each PeerServer has a context of its own, so each has its own handler and policy (one process may
 * run several servers: tests, the demo).
 */
import * as zmq from 'zeromq';
import type { Logger } from '../util/logger.js';
import { keyFingerprint, z85Encode, KEY_BYTES } from '../protocol/peer-key.js';

export const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';
/** The domain the ROUTER asks in; a ZAP request for any other is refused. */
export const ZAP_DOMAIN = 'peerstreamer';

export interface ZapCounters {
  /** Handshakes let in. */
  accepted: number;
  /** Handshakes refused: a key not on the allow list, or a request that was not CURVE. */
  refused: number;
}

/**
 * A further say on each handshake after the key was let in, by the peer's IP (the ZAP request is
 * the one place zeromq.js names it): null lets it in, a line of text refuses it. For limits on
 * connections (how many, how fast from one address).
 */
export type AdmitByAddress = (address: string, now: number) => string | null;

/** Keys whose last handshake's address is remembered: the newest, as many as peers a server tracks. */
const REMEMBERED_ADDRESSES = 4096;

export class ZapHandler {
  private readonly socket: zmq.Reply;
  private loop: Promise<void> | undefined;
  readonly counters: ZapCounters = { accepted: 0, refused: 0 };
  /** Each key's address at its last handshake let in, oldest first (a Map keeps insertion order). */
  private readonly addressByKey = new Map<string, string>();

  constructor(
    context: zmq.Context,
    /** Keys let in; undefined lets every key in (an open swarm). */
    private readonly allow: ReadonlySet<string> | undefined,
    private readonly log: Logger,
    private readonly admit?: AdmitByAddress,
  ) {
    this.socket = new zmq.Reply({ context, linger: 0 });
  }

  async start(): Promise<void> {
    await this.socket.bind(ZAP_ENDPOINT);
    this.loop = this.serve();
  }

  /**
   * The IP `key` last completed a handshake from: the only place the address of a request's sender
   * can come from, since zeromq.js names it to the ZAP handler alone. A key is proven per message by
   * its routing id (routing-proof.ts), so this is where that key's connection came from.
   */
  addressOf(key: string): string | undefined {
    return this.addressByKey.get(key);
  }

  async close(): Promise<void> {
    this.socket.close();
    await this.loop;
  }

  private async serve(): Promise<void> {
    try {
      for await (const frames of this.socket) {
        const [version, requestId] = frames;
        const { status, text } = this.decide(frames);
        // The reply is RFC 27's: version, request id, status code, status text, user id, metadata.
        await this.socket.send([version ?? '1.0', requestId ?? '', status, text, '', '']);
      }
    } catch (error) {
      if (!this.socket.closed) this.log.error({ err: error }, 'the ZAP handler stopped');
    }
  }

  private decide(frames: Buffer[]): { status: string; text: string } {
    const [version, , domain, address, , mechanism, credentials] = frames;
    if (
      version?.toString() !== '1.0' ||
      domain?.toString() !== ZAP_DOMAIN ||
      mechanism?.toString() !== 'CURVE' ||
      credentials?.length !== KEY_BYTES
    ) {
      this.counters.refused += 1;
      return { status: '400', text: 'CURVE with this node key only' };
    }
    const key = z85Encode(credentials);
    if (this.allow !== undefined && !this.allow.has(key)) {
      this.counters.refused += 1;
      this.log.info(
        { peerAddress: address?.toString(), fingerprint: keyFingerprint(key) },
        'refused a connection: its key is not on the allow list',
      );
      return { status: '400', text: 'key not on the allow list' };
    }
    const refusal = this.admit?.(address?.toString() ?? '', Date.now()) ?? null;
    if (refusal !== null) {
      this.counters.refused += 1;
      return { status: '400', text: refusal.slice(0, 255) };
    }
    this.counters.accepted += 1;
    this.remember(key, address?.toString() ?? '');
    return { status: '200', text: 'OK' };
  }

  private remember(key: string, address: string): void {
    this.addressByKey.delete(key);
    this.addressByKey.set(key, address);
    if (this.addressByKey.size > REMEMBERED_ADDRESSES) {
      this.addressByKey.delete(this.addressByKey.keys().next().value!);
    }
  }
}
